import { DynamicModule, Module } from '@nestjs/common';
import {
  accidentReportedTopic,
  hazardReportedTopic,
  reportMatchedTopic,
  roadsideInventoryChangedTopic,
  segmentJurisdictionTopic,
  segmentProfileTopic,
  segmentRiskChangedV2Topic,
  taskChangedTopic,
} from '@roadloop/contracts';
import { AuthModule, authOptionsFrom } from '@roadloop/auth';
import { ObservabilityModule } from '@roadloop/http';
import { kafkaModuleFor } from '@roadloop/kafka';
import { RateLimitModule, persistenceModuleFor } from '@roadloop/persistence';
import { AccidentRepository } from './accidents/accident.repository';
import { RISK_CONFIG, RiskConfig } from './config';
import { HazardRepository } from './hazards/hazard.repository';
import { OpenApiController } from './health/openapi.controller';
import { ReportIntakeConsumer } from './intake/report-intake.consumer';
import { ReportIntakeService } from './intake/report-intake.service';
import { RISK_MIGRATIONS } from './migrations';
import { RankingRepository } from './risk/ranking.repository';
import { RankingStore } from './risk/ranking.store';
import { RiskService } from './risk/risk.service';
import { SegmentEventsConsumer } from './risk/segment-events.consumer';
import { SegmentRiskRepository } from './risk/segment-risk.repository';
import { ProfileRelay } from './segments/profile-relay';
import { SegmentMatcherHolder } from './segments/segment-matcher.holder';
import { SegmentQueryService } from './segments/segment-query.service';
import { ReachCache } from './segments/reach.cache';
import { SegmentRepository } from './segments/segment.repository';
import { SegmentsController } from './segments/segments.controller';
import { TaskStateRepository } from './tasks/task-state.repository';
import { SpatialQueriesController } from './queries/spatial-queries.controller';
import { SpatialQueryRepository } from './queries/spatial-query.repository';
import { SegmentFeatureCache } from './queries/segment-feature.cache';
import { SpatialQueryService } from './queries/spatial-query.service';
import { ReportQueriesController } from './queries/report-queries.controller';
import { HazardTrackingController } from './hazards/hazard-tracking.controller';
import { HazardTrackingRepository } from './hazards/hazard-tracking.repository';
import { ReportQueryService } from './queries/report-query.service';
import { EffectivenessController } from './effectiveness/effectiveness.controller';
import { EffectivenessRepository } from './effectiveness/effectiveness.repository';
import { EffectivenessService } from './effectiveness/effectiveness.service';
import { SegmentJurisdictionConsumer } from './jurisdictions/segment-jurisdiction.consumer';
import { SegmentJurisdictionRepository } from './jurisdictions/segment-jurisdiction.repository';
import { SegmentJurisdictionService } from './jurisdictions/segment-jurisdiction.service';
import { RoadsideInventoryConsumer } from './roadside/roadside-inventory.consumer';
import { RoadsideInventoryRepository } from './roadside/roadside-inventory.repository';

/** The service's schema and Redis: shared by the service and its command-line tool. */
export function persistenceFor(config: RiskConfig) {
  return persistenceModuleFor('risk-service', config, {
    migrations: RISK_MIGRATIONS,
    readTimeouts: { interactive: config.DB_READ_TIMEOUT_MS, analysis: config.DB_ANALYSIS_TIMEOUT_MS },
  });
}

/** Repositories and the ranking: shared by the service and its command-line tool. */
export const RISK_REPOSITORIES = [
  SegmentRepository,
  HazardRepository,
  AccidentRepository,
  TaskStateRepository,
  SegmentRiskRepository,
  SegmentJurisdictionRepository,
  RoadsideInventoryRepository,
  RankingRepository,
  RankingStore,
];

@Module({})
export class AppModule {
  static forRoot(config: RiskConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot('risk-service'),
        AuthModule.forRoot(authOptionsFrom(config)),
        persistenceFor(config),
        // Analysis reads per user (see AnalysisRead).
        RateLimitModule.forRoot({
          redis: { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
          limit: { limit: config.ANALYSIS_RATE_LIMIT, windowS: config.ANALYSIS_RATE_WINDOW_S },
        }),
        kafkaModuleFor('risk-service', config, [
          hazardReportedTopic,
          accidentReportedTopic,
          reportMatchedTopic,
          segmentProfileTopic,
          segmentRiskChangedV2Topic,
          taskChangedTopic,
          segmentJurisdictionTopic,
          roadsideInventoryChangedTopic,
        ]),
      ],
      controllers: [SegmentsController, SpatialQueriesController, ReportQueriesController, HazardTrackingController, EffectivenessController, OpenApiController],
      providers: [
        { provide: RISK_CONFIG, useValue: config },
        ...RISK_REPOSITORIES,
        SegmentMatcherHolder,
        SegmentQueryService,
        SpatialQueryRepository,
        SpatialQueryService,
        SegmentFeatureCache,
        ReportQueryService,
        HazardTrackingRepository,
        EffectivenessRepository,
        EffectivenessService,
        SegmentJurisdictionService,
        SegmentJurisdictionConsumer,
        ReportIntakeService,
        ReachCache,
        RiskService,
        ProfileRelay,
        ReportIntakeConsumer,
        SegmentEventsConsumer,
        RoadsideInventoryConsumer,
      ],
    };
  }
}
