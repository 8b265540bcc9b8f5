export * from './contract';
export * from './envelope';
export * from './decode';
export * from './topics/dead-letter.topic';
export * from './topics/hazard-reported.topic';
export * from './topics/segment-risk-changed.topic';

import { TopicContract } from './contract';
import { hazardReportedTopic } from './topics/hazard-reported.topic';
import { segmentRiskChangedTopic } from './topics/segment-risk-changed.topic';

/** Every topic with a contract; the contract test checks each one's fixtures. */
export const ALL_TOPICS: readonly TopicContract[] = [hazardReportedTopic, segmentRiskChangedTopic];
