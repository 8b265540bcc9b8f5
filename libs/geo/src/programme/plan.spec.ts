import { describe, expect, it } from '@jest/globals';
import { COUNTERMEASURE_CATALOGUE, costPerFsi, presentWorthFactor } from './catalogue';
import { ProgrammeSegment, planProgramme } from './plan';

/** A 100 m primary segment along latitude 42 from x to x+1 (0.001°), river 5 m to its left unless said otherwise. */
function segment(id: string, x: number, over: Partial<ProgrammeSegment['attributes']> = {}): ProgrammeSegment {
  return {
    segmentId: id,
    roadKey: 'CG-2',
    roadClass: 'primary',
    lengthM: 100,
    coordinates: [[1 + x / 1000, 42], [1 + (x + 1) / 1000, 42]],
    attributes: {
      roadClass: 'primary',
      waterDistanceM: 5,
      waterSide: 'left',
      waterType: 'river',
      waterLeftM: 5,
      waterRightM: null,
      cliffSide: null,
      dropLeftM: 0,
      dropRightM: 0,
      guardrail: { left: 0, right: 0 },
      curvatureClass: 'straight',
      gradePct: 1,
      ...over,
    },
  };
}

const RIVER = [segment('w1-0', 0), segment('w1-1', 1), segment('w1-2', 2)];

describe('planProgramme', () => {
  it('values an FSI crash by the iRAP rule of thumb: about 27.7 × GDP per capita', () => {
    expect(costPerFsi() / 89_000).toBeCloseTo(70 * (1.3 / 6.7) + 17.5 * (5.4 / 6.7), 6);
    expect(presentWorthFactor(20, 0)).toBe(20);
    expect(presentWorthFactor(20, 0.04)).toBeCloseTo(13.59, 2);
  });

  it('asks for one survey of the river stretch, not works, while no one knows whether a guardrail stands there', async () => {
    const p = await planProgramme(RIVER, { budget: 1e7, year: 2027, unknownAs: 'survey' });
    expect(p.toSurvey.map((s) => [s.id, s.lengthM, s.members.length])).toEqual([['survey:both:w1-0', 300, 3]]);
    expect(p.candidates.filter((c) => c.countermeasure === 'guardrail')).toEqual([]);
  });

  it('offers a guardrail on the whole stretch where the survey found none, and only there', async () => {
    const inventory = new Map([
      ['w1-0:left', 'absent' as const],
      ['w1-1:left', 'damaged' as const],
      ['w1-2:left', 'present' as const],
    ]);
    const p = await planProgramme(RIVER, { budget: 1e7, year: 2027, unknownAs: 'survey', inventory });
    const [guardrail] = p.candidates.filter((c) => c.countermeasure === 'guardrail');
    expect(guardrail.stretch.members.map((m) => m.segmentId)).toEqual(['w1-0', 'w1-1']);
    const entry = COUNTERMEASURE_CATALOGUE.find((c) => c.countermeasure === 'guardrail')!;
    expect(guardrail.cost).toBe(Math.round(0.2 * entry.unitCost));
    expect(guardrail.fsiPrevented).toBeCloseTo(guardrail.fsiPreventedPerYear * entry.serviceLifeYears, 9);
    expect(guardrail.fsiPreventedPerYear).toBeGreaterThan(0);
    expect(guardrail.fsiPreventedPerYear).toBeLessThan(guardrail.fsiPerYear);
    expect(guardrail.bcr).toBeCloseTo((guardrail.fsiPreventedPerYear * presentWorthFactor(20, 0.04) * costPerFsi()) / guardrail.cost, 6);
    expect(p.chosen.map((c) => c.id)).toEqual([guardrail.id]);
    expect(p.toSurvey).toEqual([]);
  });

  it('pairs a sharp curve with the curve treatments, one of which the budget buys', async () => {
    const p = await planProgramme([segment('w2-0', 10, { waterDistanceM: null, waterSide: null, curvatureClass: 'sharp' })], { budget: 50_000, year: 2027, unknownAs: 'survey' });
    expect(p.candidates.map((c) => c.countermeasure).sort()).toEqual(['delineators', 'surface_repair', 'warning_sign']);
    expect(p.chosen).toHaveLength(1);
    expect(p.optimum.cost).toBeLessThanOrEqual(50_000);
  });
});
