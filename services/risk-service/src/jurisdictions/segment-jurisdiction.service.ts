import { Injectable } from '@nestjs/common';
import { SegmentJurisdiction } from '@roadloop/contracts';
import { RankingStore } from '../risk/ranking.store';
import { SegmentJurisdictionRepository } from './segment-jurisdiction.repository';

/** Keeps the jurisdiction read model and the ranking's jurisdiction facets in step with the task service. */
@Injectable()
export class SegmentJurisdictionService {
  constructor(
    private readonly assignments: SegmentJurisdictionRepository,
    private readonly ranking: RankingStore,
  ) {}

  /** Returns whether the assignment was applied (false: an older or the same revision, ignored). */
  async onAssigned(assignment: SegmentJurisdiction): Promise<boolean> {
    const applied = await this.assignments.apply(assignment);
    if (!applied) return false;
    // Also when the jurisdiction did not change: a ranking written before the first assignment lacks the facet.
    await this.ranking.moveJurisdiction(assignment.segmentId, applied.previousJurisdictionId);
    return true;
  }
}
