import { Injectable } from '@nestjs/common';
import { AppError } from '@roadloop/http';
import { HazardRepository } from '../hazards/hazard.repository';
import { RankingStore } from '../risk/ranking.store';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { SegmentRepository } from './segment.repository';

export class SegmentNotFoundError extends AppError {
  constructor(id: string) {
    super('not_found', 'SEGMENT_NOT_FOUND', `no segment with id ${id}`);
  }
}

@Injectable()
export class SegmentQueryService {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly risks: SegmentRiskRepository,
    private readonly hazards: HazardRepository,
    private readonly ranking: RankingStore,
  ) {}

  async top(limit: number) {
    return this.ranking.top(limit);
  }

  async detail(id: string) {
    const segment = await this.segments.exposureOf(id);
    if (!segment) throw new SegmentNotFoundError(id);
    const [risk, openHazards] = await Promise.all([this.risks.find(id), this.hazards.openOnSegment(id)]);
    return { id, ...segment, risk, openHazards };
  }
}
