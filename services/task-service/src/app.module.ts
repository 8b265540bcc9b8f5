import { DynamicModule, Module } from '@nestjs/common';
import { segmentRiskChangedTopic } from '@roadloop/contracts';
import { KafkaModule } from '@roadloop/kafka';
import { PersistenceModule } from '@roadloop/persistence';
import { TASK_CONFIG, TaskConfig } from './config';
import { HealthController } from './health/health.controller';
import { TASK_MIGRATIONS } from './migrations';
import { RiskChangedConsumer } from './tasks/risk-changed.consumer';
import { TaskRepository } from './tasks/task.repository';
import { TaskService } from './tasks/task.service';
import { TasksController } from './tasks/tasks.controller';

@Module({})
export class AppModule {
  static forRoot(config: TaskConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PersistenceModule.forRoot({
          database: {
            url: config.DATABASE_URL,
            schema: config.DB_SCHEMA,
            entities: [],
            migrations: TASK_MIGRATIONS,
            poolSize: config.DATABASE_POOL_SIZE,
            applicationName: 'task-service',
          },
          migrateOnStart: config.DB_MIGRATE_ON_START,
          redis: { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
        }),
        KafkaModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: 'task-service',
          source: 'task-service',
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          partitions: config.KAFKA_PARTITIONS,
          maxAttempts: config.KAFKA_CONSUMER_MAX_ATTEMPTS,
          createTopics: config.KAFKA_CREATE_TOPICS,
          topics: [segmentRiskChangedTopic],
        }),
      ],
      controllers: [TasksController, HealthController],
      providers: [{ provide: TASK_CONFIG, useValue: config }, TaskRepository, TaskService, RiskChangedConsumer],
    };
  }
}
