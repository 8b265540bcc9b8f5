import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JurisdictionService } from './jurisdiction.service';
import { SegmentJurisdictionRepository } from './segment-jurisdiction.repository';

/**
 * At start-up (of the service, not of its command-line tools): when a known segment has no stored
 * assignment while areas exist, every segment is placed again and the changes are published. Every
 * writer stores a row for each segment it places (revision 0 when no area holds it), so this
 * happens once, on a database from before assignments were stored, whose area-held segments were
 * never announced; until then routing applies the rule to them.
 */
@Injectable()
export class SegmentJurisdictionCatchUp implements OnApplicationBootstrap {
  private readonly logger = new Logger(SegmentJurisdictionCatchUp.name);

  constructor(
    private readonly assignments: SegmentJurisdictionRepository,
    private readonly areas: JurisdictionService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
  }

  /** Places every segment when one is unplaced; returns how many assignments changed (null: none was missing). */
  async run(): Promise<number | null> {
    if (!(await this.assignments.anyUnplaced())) return null;
    const changed = await this.areas.reassignSegments();
    this.logger.log(`segments without a stored jurisdiction were found: every segment placed again, ${changed} assignments changed and published`);
    return changed;
  }
}
