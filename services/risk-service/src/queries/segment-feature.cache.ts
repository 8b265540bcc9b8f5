import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RISK_CONFIG, RiskConfig } from '../config';
import { NetworkSnapshot } from '../segments/network-snapshot';
import { SegmentRepository } from '../segments/segment.repository';
import { SegmentFeatureIndex } from './segment-features';
import { SpatialQueryRepository } from './spatial-query.repository';

/**
 * The map's segment features in memory, rebuilt when segments are (re-)imported (checked every
 * MATCHER_REFRESH_MS, like the matcher). Live scores are never cached here: each query reads them.
 * A network of more than FEATURE_INDEX_MAX_SEGMENTS gets no index (null: boxes are read from
 * PostGIS), and a network that grows past it drops its index without building another.
 */
@Injectable()
export class SegmentFeatureCache implements OnModuleInit, OnApplicationShutdown {
  private readonly snapshot: NetworkSnapshot<SegmentFeatureIndex | null>;

  constructor(
    segments: SegmentRepository,
    spatial: SpatialQueryRepository,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {
    const logger = new Logger(SegmentFeatureCache.name);
    this.snapshot = new NetworkSnapshot(
      'feature index',
      () => segments.fingerprint(),
      async () => {
        const count = await segments.count();
        if (count > config.FEATURE_INDEX_MAX_SEGMENTS) {
          logger.log(`${count} segments, above FEATURE_INDEX_MAX_SEGMENTS (${config.FEATURE_INDEX_MAX_SEGMENTS}): no feature index, boxes are read from PostGIS`);
          return { value: null, size: 0 };
        }
        const index = new SegmentFeatureIndex(await spatial.staticSegments());
        return { value: index, size: index.size };
      },
      logger,
    );
  }

  onModuleInit(): Promise<void> {
    return this.snapshot.start(this.config.MATCHER_REFRESH_MS);
  }

  onApplicationShutdown(): void {
    this.snapshot.stop();
  }

  /** The index; null before the first load and while the network is above FEATURE_INDEX_MAX_SEGMENTS. */
  get index(): SegmentFeatureIndex | null {
    return this.snapshot.current;
  }
}
