import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SegmentMatcher } from '@roadloop/geo';
import { RISK_CONFIG, RiskConfig } from '../config';
import { SegmentRepository } from './segment.repository';

export interface Placement {
  segmentId: string;
  distanceM: number;
  offsetM: number;
}

/**
 * The road network in memory for nearest-segment matching (the engine's exact matcher: ~1 µs a
 * report instead of a database round trip). Rebuilt when segments are (re-)imported.
 */
@Injectable()
export class SegmentMatcherHolder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SegmentMatcherHolder.name);
  private matcher: SegmentMatcher | null = null;
  private fingerprint = '';
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly segments: SegmentRepository,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err) => this.logger.warn(`matcher refresh failed: ${(err as Error).message}`));
    }, this.config.MATCHER_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get segmentCount(): number {
    return this.matcher?.segmentCount ?? 0;
  }

  /** Rebuilds the matcher when the segments changed since the last build. */
  async refresh(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const fingerprint = await this.segments.fingerprint();
      if (fingerprint === this.fingerprint) return;
      const started = Date.now();
      const rows = await this.segments.allGeometries();
      this.matcher = rows.length ? SegmentMatcher.build(rows) : null;
      this.fingerprint = fingerprint;
      this.logger.log(`matcher holds ${rows.length} segments (built in ${Date.now() - started} ms)`);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** The nearest segment within the configured tolerance, or null. */
  async place(lon: number, lat: number): Promise<Placement | null> {
    let found = this.matcher?.match(lon, lat, this.config.MATCH_TOLERANCE_M) ?? null;
    if (!found) {
      // A miss may be a report on a road imported since the last refresh: check once.
      await this.refresh();
      found = this.matcher?.match(lon, lat, this.config.MATCH_TOLERANCE_M) ?? null;
    }
    return found ? { segmentId: found.segmentId, distanceM: found.distanceM, offsetM: found.offsetM } : null;
  }
}
