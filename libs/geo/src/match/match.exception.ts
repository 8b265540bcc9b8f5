/** Why matching or loading segments was refused. None of these is retriable: the input is wrong. */
export enum MatchErrorCode {
  /** A query point has a NaN/infinite coordinate, or lies outside lon [-180, 180] / lat [-90, 90]. */
  InvalidCoordinate = 'INVALID_COORDINATE',
  /** The tolerance is NaN, infinite, negative or above MAX_TOLERANCE_M. */
  InvalidTolerance = 'INVALID_TOLERANCE',
  /** A segment (or GeoJSON feature) is malformed: no id, not a LineString, < 2 vertices, bad vertex. */
  InvalidSegment = 'INVALID_SEGMENT',
  /** Two segments carry the same id, so a match would be ambiguous. */
  DuplicateSegmentId = 'DUPLICATE_SEGMENT_ID',
  /** The segment file is not a GeoJSON FeatureCollection, or its JSON is malformed outside a feature. */
  InvalidGeoJson = 'INVALID_GEOJSON',
  /** The segment file ends before its JSON does (an interrupted copy or download). */
  TruncatedGeoJson = 'TRUNCATED_GEOJSON',
  /** The segment file cannot be read. */
  UnreadableFile = 'UNREADABLE_FILE',
}

export interface MatchExceptionDetails {
  /** 0-based index of the offending segment or feature, when one is to blame. */
  readonly featureIndex?: number;
  /** 0-based index of the offending point in a batch. */
  readonly pointIndex?: number;
  /** Byte offset in the file where the problem was seen. */
  readonly byteOffset?: number;
}

export class MatchException extends Error {
  override readonly name = 'MatchException';
  readonly retriable = false;

  constructor(
    readonly code: MatchErrorCode,
    message: string,
    readonly details: MatchExceptionDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
