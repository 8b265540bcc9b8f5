import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SegmentMatcher, SegmentMatcherBuilder } from '@roadloop/geo';
import { RISK_CONFIG, RiskConfig } from '../config';
import { NetworkSnapshot } from './network-snapshot';
import { SegmentRepository } from './segment.repository';

export interface Placement {
  segmentId: string;
  distanceM: number;
  offsetM: number;
}

/** Segments read per round trip while the matcher is built: a few MB of WKB at a time. */
export const MATCHER_BATCH_ROWS = 25_000;

/**
 * The matcher over every segment of `road_segment` (null when there is none). Rows arrive in
 * batches and each line goes as it comes into the matcher's records, allocated once from the
 * network's totals, so the build holds the matcher and one batch, never the whole network as rows
 * or packed arrays. A line that is not a 2-D LineString is refused.
 */
export async function buildSegmentMatcher(segments: SegmentRepository, batchRows = MATCHER_BATCH_ROWS): Promise<SegmentMatcher | null> {
  let builder: SegmentMatcherBuilder | undefined;
  await segments.readGeometries(batchRows, {
    // Ids come from the primary key, each once (keyset pages), as the builder needs them.
    totals: (network) => (builder = new SegmentMatcherBuilder(network)),
    batch: (rows) => {
      for (const row of rows) builder!.addWkb(row.id, row.wkb, builder!.segmentCount);
    },
  });
  return builder?.segmentCount ? builder.finish() : null;
}

/**
 * The road network in memory for nearest-segment matching (the engine's exact matcher: ~1 µs a
 * report instead of a database round trip). Rebuilt when segments are (re-)imported.
 */
@Injectable()
export class SegmentMatcherHolder implements OnModuleInit, OnApplicationShutdown {
  private readonly snapshot: NetworkSnapshot<SegmentMatcher | null>;

  constructor(
    segments: SegmentRepository,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {
    this.snapshot = new NetworkSnapshot(
      'matcher',
      () => segments.fingerprint(),
      async () => {
        const matcher = await buildSegmentMatcher(segments);
        return { value: matcher, size: matcher?.segmentCount ?? 0 };
      },
      new Logger(SegmentMatcherHolder.name),
    );
  }

  onModuleInit(): Promise<void> {
    return this.snapshot.start(this.config.MATCHER_REFRESH_MS);
  }

  onApplicationShutdown(): void {
    this.snapshot.stop();
  }

  get segmentCount(): number {
    return this.snapshot.current?.segmentCount ?? 0;
  }

  /** Rebuilds the matcher when the segments changed since the last build. */
  refresh(): Promise<void> {
    return this.snapshot.refresh();
  }

  /** The nearest segment within the configured tolerance, or null. */
  async place(lon: number, lat: number): Promise<Placement | null> {
    let found = this.snapshot.current?.match(lon, lat, this.config.MATCH_TOLERANCE_M) ?? null;
    if (!found) {
      // A miss may be a report on a road imported since the last refresh: check once.
      await this.refresh();
      found = this.snapshot.current?.match(lon, lat, this.config.MATCH_TOLERANCE_M) ?? null;
    }
    return found ? { segmentId: found.segmentId, distanceM: found.distanceM, offsetM: found.offsetM } : null;
  }
}
