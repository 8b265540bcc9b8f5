import { DynamicModule, Module } from '@nestjs/common';
import { hazardReportedTopic, segmentRiskChangedTopic } from '@roadloop/contracts';
import { EventPublisher, KafkaModule } from '@roadloop/kafka';
import { PersistenceModule, TransactionRunner } from '@roadloop/persistence';
import { RISK_CONFIG, RiskConfig } from './config';
import { HazardConsumer } from './hazards/hazard.consumer';
import { HazardRepository } from './hazards/hazard.repository';
import { HealthController } from './health/health.controller';
import { RISK_MIGRATIONS } from './migrations';
import { RankingStore } from './risk/ranking.store';
import { RiskService } from './risk/risk.service';
import { SegmentRiskRepository } from './risk/segment-risk.repository';
import { SegmentQueryService } from './segments/segment-query.service';
import { SegmentRepository } from './segments/segment.repository';
import { SegmentsController } from './segments/segments.controller';

export function persistenceFor(config: RiskConfig) {
  return PersistenceModule.forRoot({
    database: {
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [],
      migrations: RISK_MIGRATIONS,
      poolSize: config.DATABASE_POOL_SIZE,
      applicationName: 'risk-service',
    },
    migrateOnStart: config.DB_MIGRATE_ON_START,
    redis: { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
  });
}

@Module({})
export class AppModule {
  static forRoot(config: RiskConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        persistenceFor(config),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: 'risk-service',
          source: 'risk-service',
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          partitions: config.KAFKA_PARTITIONS,
          maxAttempts: config.KAFKA_CONSUMER_MAX_ATTEMPTS,
          createTopics: config.KAFKA_CREATE_TOPICS,
          topics: [hazardReportedTopic, segmentRiskChangedTopic],
        }),
      ],
      controllers: [SegmentsController, HealthController],
      providers: [
        { provide: RISK_CONFIG, useValue: config },
        SegmentRepository,
        HazardRepository,
        SegmentRiskRepository,
        RankingStore,
        SegmentQueryService,
        {
          provide: RiskService,
          useFactory: (
            tx: TransactionRunner,
            segments: SegmentRepository,
            hazards: HazardRepository,
            risks: SegmentRiskRepository,
            ranking: RankingStore,
            publisher: EventPublisher,
          ) => new RiskService(tx, segments, hazards, risks, ranking, publisher, config.MATCH_TOLERANCE_M),
          inject: [TransactionRunner, SegmentRepository, HazardRepository, SegmentRiskRepository, RankingStore, EventPublisher],
        },
        HazardConsumer,
      ],
    };
  }
}
