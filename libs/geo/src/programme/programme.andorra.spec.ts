import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { andorraFile } from '../../test/andorra-data';
import { scoreFiles } from '../engine';
import { planProgramme, programmeSegmentOf, type Programme, type ProgrammeSegment } from './plan';

jest.setTimeout(120_000);

/** Andorra's scored network; the budget a county might spend on its roadsides in a year: 10 million CNY. */
const BUDGET = 10_000_000;

describe('a programme on Andorra', () => {
  let segments: ProgrammeSegment[];
  beforeAll(async () => {
    const scored = await scoreFiles({ osmPath: andorraFile('andorra.osm.pbf'), demPath: andorraFile('N42E001.hgt') });
    segments = scored.segments.features.map((f) => programmeSegmentOf(f as never)!);
  });

  it('surveys first where OpenStreetMap maps no guardrail: one survey per stretch, not one task per 100 m', async () => {
    const p = await planProgramme(segments, { budget: BUDGET, year: 2027, unknownAs: 'survey' });
    const surveyed = p.toSurvey.flatMap((s) => s.members.map((m) => m.segmentId));
    expect(new Set(surveyed).size).toBe(surveyed.length);
    // 2,645 mandatory-protection segments (3,024 sides) make a few hundred stretches.
    expect(surveyed.length).toBe(2645);
    expect(p.toSurvey.length).toBeLessThan(450);
    expect(p.candidates.some((c) => c.countermeasure === 'guardrail')).toBe(false);
  });

  describe('where every unknown side were found without a guardrail', () => {
    let p: Programme;
    beforeAll(async () => {
      p = await planProgramme(segments, { budget: BUDGET, year: 2027, unknownAs: 'absent' });
    });

    it('stays within the budget and prevents at least what the greedy benefit–cost order does', () => {
      expect(p.optimum.status).toBe('Optimal');
      expect(p.optimum.cost).toBeLessThanOrEqual(BUDGET);
      expect(p.optimum.fsiPrevented).toBeGreaterThanOrEqual(p.greedy.fsiPrevented);
      expect(new Set(p.chosen.map((c) => c.group)).size).toBe(p.chosen.length);
    });

    it('prevents at least three times what guardrails on mandatory-protection segments in id order do', () => {
      expect(p.naive.cost).toBeLessThanOrEqual(BUDGET);
      expect(p.optimum.fsiPrevented).toBeGreaterThanOrEqual(3 * p.naive.fsiPrevented);
    });
  });
});
