import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RISK_CONFIG, RiskConfig } from '../config';
import { NetworkSnapshot } from '../segments/network-snapshot';
import { SegmentRepository } from '../segments/segment.repository';
import { SegmentFeatureIndex } from './segment-features';
import { SpatialQueryRepository } from './spatial-query.repository';

/**
 * The map's segment features in memory, rebuilt when segments are (re-)imported (checked every
 * MATCHER_REFRESH_MS, like the matcher). Live scores are never cached here: each query reads them.
 */
@Injectable()
export class SegmentFeatureCache implements OnModuleInit, OnApplicationShutdown {
  private readonly snapshot: NetworkSnapshot<SegmentFeatureIndex>;

  constructor(
    segments: SegmentRepository,
    spatial: SpatialQueryRepository,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {
    this.snapshot = new NetworkSnapshot(
      'feature index',
      () => segments.fingerprint(),
      async () => {
        const index = new SegmentFeatureIndex(await spatial.staticSegments());
        return { value: index, size: index.size };
      },
      new Logger(SegmentFeatureCache.name),
    );
  }

  onModuleInit(): Promise<void> {
    return this.snapshot.start(this.config.MATCHER_REFRESH_MS);
  }

  onApplicationShutdown(): void {
    this.snapshot.stop();
  }

  get index(): SegmentFeatureIndex | null {
    return this.snapshot.current;
  }
}
