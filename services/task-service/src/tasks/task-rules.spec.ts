import { describe, expect, it } from '@jest/globals';
import { AccidentMatched, HazardMatched, SegmentRiskChangedV2 } from '@roadloop/contracts';
import {
  dueAt,
  proposeFromFatalCrash,
  proposeFromHazard,
  proposeFromRisk,
  raisePriority,
  withinReopenWindow,
} from './task-rules';

const change = (over: Partial<SegmentRiskChangedV2>): SegmentRiskChangedV2 => ({
  segmentId: 'w1-0',
  previousLevel: 'low',
  level: 'very_high',
  score: 0.75,
  alarm: 'red',
  revision: 1,
  factors: [
    { factor: 'traffic', value: 0.83 },
    { factor: 'hazard', value: 1.05, hazardCategory: 'pothole' },
    { factor: 'hazard', value: 2.2, hazardCategory: 'rockfall' },
    { factor: 'severity', value: 0.12 },
  ],
  modelVersion: '2.0.0',
  ...over,
});

describe(proposeFromRisk.name, () => {
  it('proposes the countermeasure of the largest hazard, urgent at the top level', () => {
    expect(proposeFromRisk(change({}))).toEqual({
      segmentId: 'w1-0',
      countermeasure: 'rockfall_clearing',
      side: null,
      priority: 'p1',
      reason: 'risk rose to very_high (0.75 expected fatal and serious crashes per km per year), mainly rockfall',
      rule: 'risk_level',
      hazardIds: [],
    });
  });

  it('reads the hazard category from its typed field, never from a factor name', () => {
    expect(proposeFromRisk(change({ factors: [{ factor: 'hazard:rockfall', value: 50 }] }))).toMatchObject({ countermeasure: 'site_inspection' });
  });

  it('proposes a site inspection when the risk comes from traffic, design and crashes alone', () => {
    expect(proposeFromRisk(change({ factors: [{ factor: 'traffic', value: 0.83 }, { factor: 'crashes', value: 4.1 }] }))).toMatchObject({
      countermeasure: 'site_inspection',
      priority: 'p1',
    });
  });

  it('opens a p2 task at high only when configured so', () => {
    expect(proposeFromRisk(change({ level: 'high' }))).toBeNull();
    expect(proposeFromRisk(change({ level: 'high' }), 'high')).toMatchObject({ priority: 'p2' });
  });

  it.each([
    ['a level below the top', { level: 'high' as const }],
    ['a fall in level', { previousLevel: 'very_high' as const, level: 'high' as const }],
    ['no change in level', { previousLevel: 'very_high' as const, level: 'very_high' as const }],
  ])('proposes nothing for %s', (_, over) => expect(proposeFromRisk(change(over))).toBeNull());
});

const hazard = (over: Partial<HazardMatched>): HazardMatched => ({
  kind: 'hazard',
  hazardId: '0b9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b',
  category: 'flooded_road',
  severity: 'critical',
  reportedAt: '2026-11-20T08:00:00Z',
  segmentId: 's1',
  distanceM: 3,
  offsetM: 10,
  lon: 1,
  lat: 42,
  ...over,
});

describe(proposeFromFatalCrash.name, () => {
  const crash = (deaths: number): AccidentMatched => ({
    kind: 'accident', accidentId: '1c9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b', occurredAt: '2026-11-20T21:40:00Z', deaths, seriousInjuries: 1,
    slightInjuries: 0, propertyDamageOnly: false, segmentId: 's1', distanceM: 3, offsetM: 10, lon: 1, lat: 42,
  });

  it('investigates the road after every fatal crash, with its own SLA', () => {
    expect(proposeFromFatalCrash(crash(2), 168)).toEqual({
      segmentId: 's1',
      countermeasure: 'site_investigation',
      side: null,
      priority: 'p1',
      reason: 'fatal crash (2 deaths) on 2026-11-20: investigate the road',
      rule: 'fatal_crash',
      hazardIds: [],
      slaHours: 168,
    });
    expect(dueAt('p1', new Date('2026-11-21T00:00:00Z'), undefined, 168).toISOString()).toBe('2026-11-28T00:00:00.000Z');
  });

  it('opens nothing for a crash without deaths', () => expect(proposeFromFatalCrash(crash(0), 168)).toBeNull());
});

describe(proposeFromHazard.name, () => {
  it('opens p1 for critical and p2 for high hazards, linking the hazard', () => {
    expect(proposeFromHazard(hazard({}))).toMatchObject({ countermeasure: 'drainage', priority: 'p1', hazardIds: [hazard({}).hazardId], rule: 'severe_hazard' });
    expect(proposeFromHazard(hazard({ severity: 'high', category: 'missing_guardrail' }))).toMatchObject({ countermeasure: 'guardrail', priority: 'p2' });
  });
  it.each(['low', 'medium'] as const)('opens nothing for a %s hazard', (severity) => expect(proposeFromHazard(hazard({ severity }))).toBeNull());
});

describe('time rules', () => {
  it('adds the SLA hours of the priority', () => {
    expect(dueAt('p1', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(dueAt('p3', new Date('2026-01-01T00:00:00Z'), { p1: 1, p2: 2, p3: 3 }).toISOString()).toBe('2026-01-01T03:00:00.000Z');
  });

  it('reopens only within the window after the verification', () => {
    const verified = new Date('2026-01-01T00:00:00Z');
    expect(withinReopenWindow(verified, new Date('2026-03-31T00:00:00Z'), 90)).toBe(true);
    expect(withinReopenWindow(verified, new Date('2026-04-02T00:00:00Z'), 90)).toBe(false);
    expect(withinReopenWindow(verified, new Date('2025-12-31T23:59:59Z'), 90)).toBe(false);
  });

  it('raises priority one step', () => expect(['p3', 'p2', 'p1'].map((p) => raisePriority(p as 'p1'))).toEqual(['p2', 'p1', 'p1']));
});
