import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ReportMatchedEvent, TopicContract, describeIssues, reportMatchedTopic, segmentRiskChangedV2Topic } from '@roadloop/contracts';
import { EventPublisher, InvalidEventError, PublishOptions } from '@roadloop/kafka';

type PayloadOf<S extends z.ZodType> = z.infer<S> extends { payload: infer P } ? P : never;

/**
 * Stands in for the event publisher while a rebuild replays history: nothing reaches the broker.
 * `report-matched` — which the live intake publishes for the risk consumer — is queued for the
 * rebuild to hand to the risk service in process; a level change (`segment-risk-changed`) was
 * announced by the live service already and is only counted. Any other topic is a mistake.
 */
@Injectable()
export class ReplayPublisher implements Pick<EventPublisher, 'publish' | 'publishEach' | 'publishMany' | 'connect' | 'disconnect'> {
  private readonly matched: ReportMatchedEvent[] = [];
  /** The replay's "now": stamped on the events it builds, like the live publisher stamps its clock. */
  now = new Date(0);
  announcementsWithheld = 0;

  async publish<S extends z.ZodType>(contract: TopicContract<S>, payload: PayloadOf<S>, options: PublishOptions): Promise<z.infer<S>> {
    const parsed = contract.valueSchema.safeParse({
      eventId: options.eventId ?? randomUUID(),
      occurredAt: (options.occurredAt ?? this.now).toISOString(),
      schemaVersion: contract.schemaVersion,
      source: 'risk-service',
      correlationId: options.correlationId,
      payload,
    });
    if (!parsed.success) throw new InvalidEventError(contract.topic, describeIssues(parsed.error));
    if (contract.topic === reportMatchedTopic.topic) this.matched.push(parsed.data as ReportMatchedEvent);
    else if (contract.topic === segmentRiskChangedV2Topic.topic) this.announcementsWithheld++;
    else throw new Error(`a rebuild publishes nothing, and has no in-process handler for ${contract.topic}`);
    return parsed.data;
  }

  /** `publish` for each event, in order (the risk service announces a run's level changes this way). */
  async publishEach<S extends z.ZodType>(contract: TopicContract<S>, events: readonly { payload: PayloadOf<S>; options: PublishOptions }[]): Promise<z.infer<S>[]> {
    const sent: z.infer<S>[] = [];
    for (const { payload, options } of events) sent.push(await this.publish(contract, payload, options));
    return sent;
  }

  async publishMany(contract: TopicContract): Promise<number> {
    throw new Error(`a rebuild publishes nothing (asked to publish many ${contract.topic})`);
  }

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  /** The report-matched events queued since the last call, oldest first. */
  takeMatched(): ReportMatchedEvent[] {
    return this.matched.splice(0, this.matched.length);
  }
}
