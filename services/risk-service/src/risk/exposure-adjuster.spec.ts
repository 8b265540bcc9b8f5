import { describe, expect, it } from '@jest/globals';
import { SegmentExposure } from '../segments/segment.repository';
import { adjustedExposure, designRange, roadsideKnowledge } from './exposure-adjuster';

const riverside: SegmentExposure = {
  exposureScore: 42,
  exposureLevel: 'very_high',
  exposureFactors: {},
  lengthM: 100,
  roadClass: 'secondary',
  name: null,
  attributes: {
    roadside: { left: { water: 0, dropOff: 0, cliff: 0, guardrail: 0 }, right: { water: 10, dropOff: 0, cliff: 0, guardrail: 0 } },
    curvatureClass: 'sharp',
    gradeClass: 'gentle',
    speedKmh: 50,
  },
};
const guardrail = (side: 'left' | 'right' | 'both' | null) => ({ taskId: 't1', countermeasure: 'guardrail', side, verifiedAt: '2026-11-27T00:00:00Z' });

describe(adjustedExposure.name, () => {
  it('keeps the static exposure without a verified guardrail', () => {
    expect(adjustedExposure(riverside, [])).toEqual({ score: 42 });
    expect(adjustedExposure(riverside, [{ ...guardrail('right'), countermeasure: 'warning_sign' }])).toEqual({ score: 42 });
  });

  it('removes most of the water exposure of the guarded side', () => {
    expect(adjustedExposure(riverside, [guardrail('right')]).score).toBe(17.5);
    expect(adjustedExposure(riverside, [guardrail(null)]).score).toBe(17.5);
  });

  it('does not lower the score for a guardrail on the side without water', () => {
    expect(adjustedExposure(riverside, [guardrail('left')]).score).toBe(42);
  });

  it('keeps the static exposure, and says so, for a segment without a roadside breakdown', () => {
    const r = adjustedExposure({ ...riverside, attributes: {} }, [guardrail('right')]);
    expect(r.score).toBe(42);
    expect(r.detail).toMatch(/no roadside breakdown/);
  });
});

const recorded = (side: 'left' | 'right', status: 'present' | 'absent' | 'damaged' | 'unknown', observedAt = '2026-11-28T00:00:00.000Z') => ({
  side,
  status,
  source: 'crew_survey' as const,
  observedAt,
});
/** The riverside segment with a guardrail mapped along its water side (the engine's reduction: 42 → 15.75 points). */
const mappedGuardrail: SegmentExposure = {
  ...riverside,
  exposureScore: 15.75,
  attributes: {
    ...riverside.attributes,
    guardrail: { left: 0, right: 0.9 },
    roadside: { left: { water: 0, dropOff: 0, cliff: 0, guardrail: 0 }, right: { water: 10, dropOff: 0, cliff: 0, guardrail: -7.5 } },
  },
};

describe(roadsideKnowledge.name, () => {
  it('lets the later word win: a guardrail verified after the survey guards, a survey after the verification decides', () => {
    expect(roadsideKnowledge([guardrail('right')], [recorded('right', 'absent', '2026-11-20T00:00:00Z')])).toEqual({ guarded: { left: false, right: true }, inventory: {} });
    expect(roadsideKnowledge([guardrail('right')], [recorded('right', 'damaged', '2026-11-28T00:00:00Z')])).toEqual({ guarded: { left: false, right: false }, inventory: { right: 'damaged' } });
    expect(roadsideKnowledge([], [recorded('left', 'present'), recorded('right', 'unknown')])).toEqual({ guarded: { left: false, right: false }, inventory: { left: 'present', right: 'unknown' } });
  });
});

describe(`${adjustedExposure.name} with the roadside inventory`, () => {
  it('protects a side recorded present, as a verified guardrail does', () => {
    expect(adjustedExposure(riverside, [], [recorded('right', 'present')])).toEqual({ score: 17.5, detail: 'guardrail present on the right side (recorded): exposure 42 → 17.5' });
  });

  it('takes a mapped guardrail away where a survey found none or a damaged one, and changes nothing for unknown', () => {
    expect(adjustedExposure(mappedGuardrail, [], [recorded('right', 'absent')]).score).toBe(42);
    expect(adjustedExposure(mappedGuardrail, [], [recorded('right', 'damaged')]).score).toBe(42);
    expect(adjustedExposure(mappedGuardrail, [], [recorded('right', 'unknown')])).toEqual({ score: 15.75 });
    expect(adjustedExposure(mappedGuardrail, [], [])).toEqual({ score: 15.75 });
  });
});

describe(designRange.name, () => {
  it('gives the range from protected to unprotected while the side with water is unknown', () => {
    expect(designRange(riverside, [], [])).toEqual({
      unknownSides: ['right'],
      protected: { score: 17.5, level: expect.any(String) },
      unprotected: { score: 42, level: expect.any(String) },
    });
    expect(designRange(riverside, [], [recorded('right', 'unknown')])?.unknownSides).toEqual(['right']);
  });

  it('gives no range once the side is known, guarded by a verified fix, mapped, or when no side matters', () => {
    for (const status of ['present', 'absent', 'damaged'] as const) expect(designRange(riverside, [], [recorded('right', status)])).toBeNull();
    expect(designRange(riverside, [guardrail('right')], [])).toBeNull();
    expect(designRange(mappedGuardrail, [], [])).toBeNull();
    // The left side is unknown too, but has nothing a guardrail would protect from.
    expect(designRange(riverside, [], [recorded('right', 'present')])).toBeNull();
    expect(designRange({ ...riverside, attributes: {} }, [], [])).toBeNull();
  });
});
