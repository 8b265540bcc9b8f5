import { DynamicModule, Module } from '@nestjs/common';
import { accidentReportedTopic, hazardReportedTopic, segmentRiskChangedV2Topic, taskChangedTopic } from '@roadloop/contracts';
import { AuthModule, authOptionsFrom } from '@roadloop/auth';
import { ObservabilityModule } from '@roadloop/http';
import { kafkaModuleFor } from '@roadloop/kafka';
import { RateLimitModule } from '@roadloop/persistence';
import { AccidentsController } from './accidents/accidents.controller';
import { AccidentsService } from './accidents/accidents.service';
import { GATEWAY_CONFIG, GatewayConfig } from './config';
import { ContractsController } from './contracts.controller';
import { ForwardingController } from './forwarding/forwarding.controller';
import { HazardsController } from './hazards/hazards.controller';
import { HazardTrackingService } from './hazards/hazard-tracking.service';
import { HazardsService } from './hazards/hazards.service';
import { I18nController } from './i18n/i18n.controller';
import { LiveFeedService } from './live/live-feed.service';
import { LiveController } from './live/live.controller';
import { MapController } from './map/map.controller';
import { Open311Controller } from './open311/open311.controller';
import { Open311Service } from './open311/open311.service';
import { OpenApiController } from './openapi.controller';
import { FieldAppsController } from './field-apps/field-apps.controller';
import { PhotoUploadController } from './photos/photo-upload.controller';
import { REPORT_PHOTO_BUDGET, ReportPhotoUploadController } from './photos/report-photo-upload.controller';
import { ReportPageController } from './report/report-page.controller';
import { ReportPublisher } from './reports/report-publisher';
import { UpstreamClient } from './upstream.client';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot('ingest-gateway'),
        AuthModule.forRoot(authOptionsFrom(config)),
        // Published: the reports (a person waits for the answer: a few quick retries, ≈1.5 s, then 503
        // with Retry-After; PUBLISH_TIMEOUT_MS bounds the rest). Read by the live feed: risk and task changes.
        kafkaModuleFor('ingest-gateway', config, [hazardReportedTopic, accidentReportedTopic, segmentRiskChangedV2Topic, taskChangedTopic], {
          retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 1_000 },
        }),
        // Anonymous hazard reports per client address; report photos with a budget of their own.
        RateLimitModule.forRoot({
          redis: { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
          limit: { limit: config.HAZARD_RATE_LIMIT, windowS: config.HAZARD_RATE_WINDOW_S },
          budgets: { [REPORT_PHOTO_BUDGET]: { limit: config.REPORT_PHOTO_RATE_LIMIT, windowS: config.REPORT_PHOTO_RATE_WINDOW_S } },
        }),
      ],
      // The report intake is registered before the forwarding of reads under the same paths.
      controllers: [HazardsController, AccidentsController, PhotoUploadController, ReportPhotoUploadController, ForwardingController, LiveController, MapController, ReportPageController, FieldAppsController, I18nController, Open311Controller, OpenApiController, ContractsController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, ReportPublisher, HazardsService, HazardTrackingService, Open311Service, AccidentsService, UpstreamClient, LiveFeedService],
    };
  }
}
