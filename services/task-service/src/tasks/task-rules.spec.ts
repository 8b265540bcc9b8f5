import { describe, expect, it } from '@jest/globals';
import { SegmentRiskChanged } from '@roadloop/contracts';
import { dueAt, proposeTask } from './task-rules';

const change = (over: Partial<SegmentRiskChanged>): SegmentRiskChanged => ({
  segmentId: 'w1-0',
  previousLevel: 'low',
  level: 'very_high',
  score: 75,
  revision: 1,
  factors: [
    { factor: 'exposure', value: 25 },
    { factor: 'hazard:pothole', value: 5 },
    { factor: 'hazard:rockfall', value: 50 },
  ],
  ...over,
});

describe(proposeTask.name, () => {
  it('proposes the countermeasure of the largest hazard, urgent at the top level', () => {
    expect(proposeTask(change({}))).toEqual({
      segmentId: 'w1-0',
      countermeasure: 'rockfall_clearing',
      priority: 'p1',
      reason: 'risk rose to very_high (score 75), mainly rockfall',
    });
  });

  it('proposes a site inspection when the risk comes from exposure alone', () => {
    expect(proposeTask(change({ level: 'high', factors: [{ factor: 'exposure', value: 55 }] }))).toMatchObject({
      countermeasure: 'site_inspection',
      priority: 'p2',
    });
  });

  it.each([
    ['a level below high', { level: 'medium' as const }],
    ['a fall in level', { previousLevel: 'very_high' as const, level: 'high' as const }],
    ['no change in level', { previousLevel: 'high' as const, level: 'high' as const }],
  ])('proposes nothing for %s', (_, over) => expect(proposeTask(change(over))).toBeNull());
});

describe(dueAt.name, () => {
  it('adds the SLA hours of the priority', () => {
    expect(dueAt('p1', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
});
