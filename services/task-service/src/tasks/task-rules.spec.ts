import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AccidentMatched, HazardMatched, SegmentProfile, SegmentRiskChangedV2 } from '@roadloop/contracts';
import {
  ProtectionThresholds,
  dueAt,
  proposeFromFatalCrash,
  proposeFromHazard,
  proposeFromRisk,
  proposeMandatoryProtection,
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

const thresholds: ProtectionThresholds = { roadClasses: ['primary', 'tertiary'], waterDistanceM: 20, cliffDropM: 8, minGuardrailShare: 0.5 };
const profile = (over: Partial<SegmentProfile>): SegmentProfile => ({
  segmentId: 's1',
  geometry: { type: 'LineString', coordinates: [[1, 42], [1.001, 42.001]] },
  roadClass: 'primary',
  name: null,
  lengthM: 100,
  waterDistanceM: null,
  waterSide: null,
  cliffSide: null,
  dropLeftM: null,
  dropRightM: null,
  guardrail: { left: 0, right: 0 },
  exposureScore: 10,
  exposureLevel: 'low',
  ...over,
});

describe(proposeMandatoryProtection.name, () => {
  it('requires a guardrail on the water side (MUST → p2)', () => {
    expect(proposeMandatoryProtection(profile({ waterDistanceM: 6.5, waterSide: 'right' }), thresholds)).toMatchObject({
      countermeasure: 'guardrail',
      side: 'right',
      priority: 'p2',
      rule: 'mandatory_protection',
    });
  });

  it('treats a bridge over water as both sides', () => {
    expect(proposeMandatoryProtection(profile({ waterDistanceM: 0, waterSide: 'crossing' }), thresholds)?.side).toBe('both');
  });

  it('asks for a guardrail beside a drop (SHOULD → p3), from the drop or the cliff side', () => {
    expect(proposeMandatoryProtection(profile({ dropLeftM: 14.8 }), thresholds)).toMatchObject({ side: 'left', priority: 'p3' });
    expect(proposeMandatoryProtection(profile({ cliffSide: 'right', dropRightM: 3 }), thresholds)).toMatchObject({ side: 'right' });
    expect(proposeMandatoryProtection(profile({ dropLeftM: 7.9 }), thresholds)).toBeNull();
  });

  it('combines water on one side and a drop on the other into both sides, at the water priority', () => {
    expect(proposeMandatoryProtection(profile({ waterDistanceM: 5, waterSide: 'right', dropLeftM: 9 }), thresholds)).toMatchObject({ side: 'both', priority: 'p2' });
  });

  it('is satisfied by an existing guardrail, and ignores far water and other road classes', () => {
    expect(proposeMandatoryProtection(profile({ waterDistanceM: 5, waterSide: 'right', guardrail: { left: 0, right: 0.5 } }), thresholds)).toBeNull();
    expect(proposeMandatoryProtection(profile({ waterDistanceM: 25, waterSide: 'right' }), thresholds)).toBeNull();
    expect(proposeMandatoryProtection(profile({ roadClass: 'track', waterDistanceM: 1, waterSide: 'left' }), thresholds)).toBeNull();
  });

  it('property: never proposes for a side whose guardrail share is at least the minimum', () => {
    fc.assert(
      fc.property(
        fc.record({
          waterDistanceM: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
          waterSide: fc.constantFrom('left', 'right', 'both', 'crossing', null),
          dropLeftM: fc.option(fc.double({ min: 0, max: 50, noNaN: true })),
          dropRightM: fc.option(fc.double({ min: 0, max: 50, noNaN: true })),
          left: fc.double({ min: 0, max: 1, noNaN: true }),
          right: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (p) => {
          const proposal = proposeMandatoryProtection(
            profile({ ...p, waterSide: p.waterSide as SegmentProfile['waterSide'], guardrail: { left: p.left, right: p.right } }),
            thresholds,
          );
          if (proposal?.side === 'left' || proposal?.side === 'both') expect(p.left).toBeLessThan(0.5);
          if (proposal?.side === 'right' || proposal?.side === 'both') expect(p.right).toBeLessThan(0.5);
        },
      ),
    );
  });
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
