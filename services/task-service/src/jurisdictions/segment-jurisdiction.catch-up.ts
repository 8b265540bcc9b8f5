import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TransactionRunner } from '@roadloop/persistence';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { SegmentJurisdictionRepository } from './segment-jurisdiction.repository';
import { SegmentJurisdictionService } from './segment-jurisdiction.service';

/**
 * At start-up (of the service, not of its command-line tools): places every segment again and
 * publishes the changes when migration 1733500000000 found known segments an area touches without a
 * stored assignment (a database from before assignments were stored, whose area-held segments were
 * never announced; until then routing applies the rule to them). Every writer stores a row for each
 * segment it places since, so that is the only source of such segments, and the migration's flag,
 * taken in the same transaction as the recomputation, makes it happen once: a start costs one read
 * of a one-row table, not a pass over the segments.
 */
@Injectable()
export class SegmentJurisdictionCatchUp implements OnApplicationBootstrap {
  private readonly logger = new Logger(SegmentJurisdictionCatchUp.name);

  constructor(
    private readonly assignments: SegmentJurisdictionRepository,
    private readonly tx: TransactionRunner,
    private readonly segmentJurisdictions: SegmentJurisdictionService,
    @Optional() private readonly outbox?: OutboxNudge,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
  }

  /** Places every segment when a catch-up is pending; returns how many assignments changed (null: none was pending). */
  async run(): Promise<number | null> {
    const correlationId = randomUUID();
    const changed = await this.tx.run(async (scope) =>
      (await this.assignments.takeCatchUp(scope)) ? (await this.segmentJurisdictions.reassignAll(correlationId, scope)).length : null,
    );
    if (changed === null) return null;
    if (changed) this.outbox?.nudge();
    this.logger.log(`segments without a stored jurisdiction were found: every segment placed again, ${changed} assignments changed and published`);
    return changed;
  }
}
