import { DynamicModule, Module } from '@nestjs/common';
import { reportMatchedTopic, roadsideInventoryChangedTopic, segmentJurisdictionTopic, segmentProfileTopic, segmentRiskChangedV2Topic, taskChangedTopic } from '@roadloop/contracts';
import { AuthModule, authOptionsFrom } from '@roadloop/auth';
import { ObservabilityModule } from '@roadloop/http';
import { kafkaModuleFor } from '@roadloop/kafka';
import { persistenceModuleFor } from '@roadloop/persistence';
import { Clock, SystemClock } from './clock';
import { TASK_CONFIG, TaskConfig } from './config';
import { CrewQueueRepository } from './crews/crew-queue.repository';
import { CrewQueue } from './crews/crew-queue.service';
import { OpenApiController } from './health/openapi.controller';
import { DailyIndexController } from './jurisdictions/daily-index.controller';
import { DailyIndexRecorder } from './jurisdictions/daily-index.recorder';
import { DailyIndexRepository } from './jurisdictions/daily-index.repository';
import { DailyIndexService } from './jurisdictions/daily-index.service';
import { JurisdictionRepository } from './jurisdictions/jurisdiction.repository';
import { JurisdictionService } from './jurisdictions/jurisdiction.service';
import { SegmentJurisdictionRepository } from './jurisdictions/segment-jurisdiction.repository';
import { SegmentJurisdictionCatchUp } from './jurisdictions/segment-jurisdiction.catch-up';
import { SegmentJurisdictionService } from './jurisdictions/segment-jurisdiction.service';
import { CrewsController, JurisdictionsController } from './jurisdictions/jurisdictions.controller';
import { InspectionQueueService } from './inspections/inspection-queue.service';
import { InspectionsController } from './inspections/inspections.controller';
import { TASK_MIGRATIONS } from './migrations';
import { OutboxNudge } from './outbox/outbox-nudge';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { PhotoChecks } from './photos/photo-checks.service';
import { DiskPhotoStore, PhotoStore } from './photos/photo-store';
import { PhotoRepository } from './photos/photo.repository';
import { PhotoService } from './photos/photo.service';
import { PhotosController } from './photos/photos.controller';
import { ReportPhotoService } from './photos/report-photo.service';
import { ReportPhotosController } from './photos/report-photos.controller';
import { ProgrammeRepository } from './programmes/programme.repository';
import { ProgrammeService } from './programmes/programme.service';
import { ProgrammesController } from './programmes/programmes.controller';
import { RoadsideController } from './roadside/roadside.controller';
import { RoadsideRepository } from './roadside/roadside.repository';
import { RoadsideService } from './roadside/roadside.service';
import { SegmentRefRepository } from './segments/segment-ref.repository';
import { AssignmentService } from './tasks/assignment.service';
import { EscalationService } from './tasks/escalation.service';
import { IntakeConsumer } from './tasks/intake.consumer';
import { TaskCommandService } from './tasks/task-command.service';
import { VerifiedFixHook } from './tasks/verified-fix-hook';
import { TaskIntakeService } from './tasks/task-intake.service';
import { TaskLedger } from './tasks/task-ledger.service';
import { TaskQueryService } from './tasks/task-query.service';
import { TaskReopenService } from './tasks/task-reopen.service';
import { TaskMetrics } from './tasks/task-metrics';
import { TaskRepository } from './tasks/task.repository';
import { TasksController } from './tasks/tasks.controller';

/** The service's schema and Redis: shared by the service and its command-line tool. */
export function persistenceFor(config: TaskConfig) {
  return persistenceModuleFor('task-service', config, { migrations: TASK_MIGRATIONS });
}

/** Repositories and the jurisdiction service: what the CLI needs too. */
export const CORE_PROVIDERS = [
  { provide: Clock, useClass: SystemClock },
  TaskRepository,
  OutboxRepository,
  SegmentRefRepository,
  JurisdictionRepository,
  SegmentJurisdictionRepository,
  SegmentJurisdictionService,
  CrewQueueRepository,
  CrewQueue,
  TaskLedger,
  AssignmentService,
  JurisdictionService,
  RoadsideRepository,
  RoadsideService,
  { provide: VerifiedFixHook, useExisting: RoadsideService },
];

@Module({})
export class AppModule {
  static forRoot(config: TaskConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot('task-service'),
        persistenceFor(config),
        kafkaModuleFor('task-service', config, [segmentRiskChangedV2Topic, reportMatchedTopic, segmentProfileTopic, taskChangedTopic, segmentJurisdictionTopic, roadsideInventoryChangedTopic]),
        AuthModule.forRoot(authOptionsFrom(config)),
      ],
      // DailyIndexController before JurisdictionsController: /v1/jurisdictions/index is not a jurisdiction id.
      controllers: [PhotosController, ReportPhotosController, InspectionsController, RoadsideController, ProgrammesController, TasksController, DailyIndexController, JurisdictionsController, CrewsController, OpenApiController],
      providers: [
        { provide: TASK_CONFIG, useValue: config },
        ...CORE_PROVIDERS,
        OutboxRelayService,
        { provide: OutboxNudge, useExisting: OutboxRelayService },
        TaskReopenService,
        TaskIntakeService,
        TaskCommandService,
        TaskQueryService,
        DailyIndexRepository,
        DailyIndexService,
        DailyIndexRecorder,
        EscalationService,
        SegmentJurisdictionCatchUp,
        IntakeConsumer,
        TaskMetrics,
        PhotoRepository,
        PhotoChecks,
        PhotoService,
        ReportPhotoService,
        InspectionQueueService,
        ProgrammeRepository,
        ProgrammeService,
        // The evidence store on disk; an S3-compatible store would be another PhotoStore here.
        { provide: PhotoStore, useValue: new DiskPhotoStore(config.PHOTO_STORE_DIR) },
      ],
    };
  }
}
