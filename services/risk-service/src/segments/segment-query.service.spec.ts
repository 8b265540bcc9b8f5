import { describe, expect, it } from '@jest/globals';
import { Principal, ROLES, Role } from '@roadloop/auth';
import { AccidentRepository } from '../accidents/accident.repository';
import { HazardRepository } from '../hazards/hazard.repository';
import { RankingRepository } from '../risk/ranking.repository';
import { RankingStore } from '../risk/ranking.store';
import { RoadsideInventoryRepository } from '../roadside/roadside-inventory.repository';
import { SegmentRiskRepository } from '../risk/segment-risk.repository';
import { TaskStateRepository } from '../tasks/task-state.repository';
import { SegmentQueryService } from './segment-query.service';
import { SegmentRepository } from './segment.repository';

const crash = {
  id: 'a-1', externalId: 'POL-7', occurredAt: '2026-11-20T17:00:00.000Z', lon: 1.52, lat: 42.5, segmentId: 'w1-0',
  matchDistanceM: 3, offsetM: 10, deaths: 1, seriousInjuries: 2, slightInjuries: 0, propertyDamageOnly: false, severity: 'fatal',
};
const task = { taskId: 't-1', status: 'assigned', countermeasure: 'guardrail', side: 'right', version: 2, fixFailed: false, updatedAt: '2026-11-21T08:00:00.000Z' };

/** Repositories answering for one segment with one fatal crash and another crew's task. */
function service(): SegmentQueryService {
  const stub = <T>(methods: Record<string, () => unknown>) => methods as unknown as T;
  return new SegmentQueryService(
    stub<SegmentRepository>({
      exposureOf: async () => ({ roadClass: 'primary', exposureScore: 12, attributes: {} }),
      placeOf: async () => ({ geometry: null, jurisdictionId: 'west', jurisdictionName: 'West' }),
    }),
    stub<SegmentRiskRepository>({
      find: async () => ({ score: 30, level: 'high' }),
      history: async () => [{ revision: 2, score: 30, level: 'high', cause: { kind: 'accident', id: 'a-1' }, at: '2026-11-20T17:01:00.000Z' }],
    }),
    stub<HazardRepository>({ onSegment: async () => [] }),
    stub<AccidentRepository>({ onSegmentSince: async () => [crash] }),
    stub<TaskStateRepository>({ verifiedOn: async () => [], onSegment: async () => [task] }),
    stub<RankingStore>({}),
    stub<RankingRepository>({}),
    stub<RoadsideInventoryRepository>({ of: async () => [] }),
  );
}

const principal = (role: Role): Principal => ({ id: `${role}-1`, role, crewId: role === 'crew' ? 'crew-2' : null });

describe(`${SegmentQueryService.name}.detail`, () => {
  it('shows a crew how many crashes there were, but no crash record, no task and no crash id in the history', async () => {
    const detail = await service().detail('w1-0', principal('crew'));
    expect(detail.crashCount).toBe(1);
    expect(detail).not.toHaveProperty('crashes');
    expect(detail).not.toHaveProperty('tasks');
    expect(detail.history).toEqual([{ revision: 2, score: 30, level: 'high', cause: { kind: 'accident' }, at: '2026-11-20T17:01:00.000Z' }]);
    expect(JSON.stringify(detail)).not.toMatch(/POL-7|a-1|t-1|17:00/);
  });

  it.each(ROLES.filter((r) => r !== 'crew'))('shows the %s role the crash records, every task and the causes', async (role) => {
    const detail = await service().detail('w1-0', principal(role));
    expect(detail).toMatchObject({ crashCount: 1, crashes: [crash], tasks: [task] });
    expect(detail.history[0].cause).toEqual({ kind: 'accident', id: 'a-1' });
  });
});
