import { Injectable } from '@nestjs/common';
import { AppError } from '@roadloop/http';
import { AccidentRepository } from '../accidents/accident.repository';
import { HazardRepository } from '../hazards/hazard.repository';
import { RankingStore } from '../risk/ranking.store';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { TaskStateRepository } from '../tasks/task-state.repository';
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
    private readonly accidents: AccidentRepository,
    private readonly tasks: TaskStateRepository,
    private readonly ranking: RankingStore,
  ) {}

  async top(limit: number) {
    const ranked = await this.ranking.top(limit);
    const items = await Promise.all(
      ranked.items.map(async (r) => {
        const risk = await this.risks.find(r.segmentId);
        return { segmentId: r.segmentId, score: r.score, level: risk?.level ?? null, alarm: risk?.alarm ?? null };
      }),
    );
    return { source: ranked.source, items };
  }

  async detail(id: string) {
    const segment = await this.segments.exposureOf(id);
    if (!segment) throw new SegmentNotFoundError(id);
    const [risk, hazards, crashes, treatments, history] = await Promise.all([
      this.risks.find(id),
      this.hazards.onSegment(id, 100),
      this.accidents.onSegmentSince(id, new Date(0)),
      this.tasks.verifiedOn(id),
      this.risks.history(id, 100),
    ]);
    return {
      id,
      ...segment,
      risk,
      openHazards: hazards.filter((h) => h.status === 'open'),
      hazards,
      crashes,
      verifiedCountermeasures: treatments,
      history,
    };
  }

  async unmatched(limit: number) {
    const [hazards, accidents] = await Promise.all([this.hazards.unmatched(limit), this.accidents.unmatched(limit)]);
    return { hazards, accidents };
  }
}
