/**
 * One error class for the geo engine, carrying a code so callers (the CLI, the risk-service
 * import) can map failures to exit codes or retry decisions without parsing messages.
 */
export const GEO_ERROR_CODES = [
  'INPUT_NOT_FOUND',
  'OSM_UNSUPPORTED_FORMAT',
  'OSM_INVALID',
  'OSM_TRUNCATED',
  'OSM_UNSUPPORTED_FEATURE',
  'OSM_EMPTY',
  'DEM_NOT_FOUND',
  'DEM_INVALID',
  'CONFIG_INVALID',
  'ARGUMENT_INVALID',
  'OUTPUT_FAILED',
] as const;

export type GeoErrorCode = (typeof GEO_ERROR_CODES)[number];

export class GeoError extends Error {
  override readonly name = 'GeoError';

  constructor(
    readonly code: GeoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when retrying the same call could succeed (none of the engine's failures are transient). */
  get retriable(): boolean {
    return this.code === 'OUTPUT_FAILED';
  }
}
