import { Inject, Injectable } from '@nestjs/common';
import { SegmentJurisdiction, segmentJurisdictionTopic } from '@roadloop/contracts';
import { TxScope } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { OutboxRepository } from '../outbox/outbox.repository';
import { outgoingEvent } from '../outbox/outgoing-event';
import { SegmentJurisdictionRepository } from './segment-jurisdiction.repository';

/**
 * Keeps `segment.jurisdiction` in step with the areas and the segments: recomputes the responsible
 * jurisdiction of segments and writes one event per changed assignment into the outbox, in the
 * caller's transaction (the assignment and its event commit together or not at all).
 */
@Injectable()
export class SegmentJurisdictionService {
  constructor(
    private readonly assignments: SegmentJurisdictionRepository,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  /** After areas were created, replaced or renamed: every known segment. */
  reassignAll(correlationId: string, scope: TxScope): Promise<SegmentJurisdiction[]> {
    return this.publishChanges(null, correlationId, scope);
  }

  /** After a segment's profile (its geometry) arrived or changed. */
  reassignSegments(segmentIds: string[], correlationId: string, scope: TxScope): Promise<SegmentJurisdiction[]> {
    return this.publishChanges(segmentIds, correlationId, scope);
  }

  private async publishChanges(segmentIds: string[] | null, correlationId: string, scope: TxScope): Promise<SegmentJurisdiction[]> {
    const changes = await this.assignments.reassign(segmentIds, scope);
    const occurredAt = this.clock.now();
    await this.outbox.addMany(
      changes.map((payload) => outgoingEvent(segmentJurisdictionTopic, this.config.KAFKA_TOPIC_PREFIX, payload, { occurredAt, correlationId })),
      scope,
    );
    return changes;
  }
}
