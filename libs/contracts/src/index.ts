export * from './contract';
export * from './envelope';
export * from './hazard-tracking';
export * from './decode';
export * from './published';
export * from './text';
export * from './topics/accident-reported.topic';
export * from './topics/dead-letter.topic';
export * from './topics/hazard-reported.topic';
export * from './topics/report-matched.topic';
export * from './topics/roadside-inventory-changed.topic';
export * from './topics/segment-jurisdiction.topic';
export * from './topics/segment-profile.topic';
export * from './topics/segment-risk-changed.topic';
export * from './topics/segment-risk-changed-v2.topic';
export * from './topics/task-changed.topic';

import { TopicContract } from './contract';
import { accidentReportedTopic } from './topics/accident-reported.topic';
import { hazardReportedTopic } from './topics/hazard-reported.topic';
import { reportMatchedTopic } from './topics/report-matched.topic';
import { roadsideInventoryChangedTopic } from './topics/roadside-inventory-changed.topic';
import { segmentJurisdictionTopic } from './topics/segment-jurisdiction.topic';
import { segmentProfileTopic } from './topics/segment-profile.topic';
import { taskChangedTopic } from './topics/task-changed.topic';
import { segmentRiskChangedTopic } from './topics/segment-risk-changed.topic';
import { segmentRiskChangedV2Topic } from './topics/segment-risk-changed-v2.topic';

/** Every topic with a contract; the contract test checks each one's fixtures. */
export const ALL_TOPICS: readonly TopicContract[] = [
  hazardReportedTopic,
  accidentReportedTopic,
  reportMatchedTopic,
  segmentProfileTopic,
  segmentRiskChangedTopic,
  segmentRiskChangedV2Topic,
  taskChangedTopic,
  segmentJurisdictionTopic,
  roadsideInventoryChangedTopic,
];

export * from './http/api-route';
export * from './http/geojson-responses';
export * from './http/risk.api';
export * from './http/task.api';
export * from './http/gateway.api';
