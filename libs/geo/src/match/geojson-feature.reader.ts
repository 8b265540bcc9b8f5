import { createReadStream } from 'node:fs';
import { MatchErrorCode, MatchException } from './match.exception';
import { GeoJsonFeatureScanner } from './segment-geojson.loader';

/** Holds the features of the chunks read so far until the reader hands them on. */
class FeatureQueueScanner extends GeoJsonFeatureScanner<void> {
  pending: unknown[] = [];

  constructor(path: string) {
    super(path, true);
  }

  protected onFeature(value: unknown): void {
    this.pending.push(value);
  }

  protected result(): void {}

  /** The features read since the last call. */
  take(): unknown[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}

export interface ReadGeoJsonFeaturesOptions {
  /** Read buffer size in bytes (tests use tiny ones to cross chunk boundaries). */
  readonly chunkBytes?: number;
}

/**
 * The features of a GeoJSON FeatureCollection file, one by one, in order, each as JSON.parse gives
 * it (any value the array holds, for the caller to validate). The file is read a chunk at a time
 * and the next chunk only when the caller asks for more: memory is one chunk and its features, so
 * a file of millions of features can be imported. A file that is not a FeatureCollection, or is
 * truncated, or a feature that is not valid JSON, throws a MatchException naming the byte.
 */
export async function* readGeoJsonFeatures(path: string, options: ReadGeoJsonFeaturesOptions = {}): AsyncGenerator<unknown> {
  const scanner = new FeatureQueueScanner(path);
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  try {
    for await (const chunk of stream) {
      scanner.push(chunk as Buffer);
      yield* scanner.take();
    }
  } catch (err) {
    if (err instanceof MatchException) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new MatchException(MatchErrorCode.UnreadableFile, `cannot read ${path}: ${code ?? (err as Error).message}`, {}, { cause: err });
  } finally {
    stream.destroy();
  }
  scanner.end();
}
