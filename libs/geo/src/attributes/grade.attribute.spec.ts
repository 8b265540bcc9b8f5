import { describe, expect, it } from '@jest/globals';
import { goldenOutput, scoreFixture } from '../../test/fixture-engine';
import { expectGolden, goldenCases } from '../../test/golden';
import { DEFAULT_SCORE_CONFIG } from '../score/score.config';
import { gradeClassOf } from './grade.attribute';

describe('grade from the terrain (golden fixtures)', () => {
  for (const c of goldenCases('grade')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const { segments } = scoreFixture(c);
      const expected = c.params.expected as { gradePct: number | null; gradeClass: string | null };
      for (const f of segments.features) {
        if (expected.gradePct === null) expect(f.properties.gradePct).toBeNull();
        // Whole-metre elevations on a 92.6 m grid: ±0.5 m per node moves a 100 m slope by < 0.6 %.
        else expect(Math.abs(f.properties.gradePct! - expected.gradePct)).toBeLessThanOrEqual(0.6);
        expect(f.properties.gradeClass).toBe(expected.gradeClass);
      }
      expectGolden(c, goldenOutput(c, segments.features, ['lengthM', 'gradePct', 'gradeClass', 'elevationM', 'dropLeftM', 'dropRightM', 'unknown']));
    });
  }
});

describe(gradeClassOf.name, () => {
  it('bands the absolute grade (iRAP < 7.5 %, 7.5–< 10 %, ≥ 10 %)', () => {
    expect(gradeClassOf(null, DEFAULT_SCORE_CONFIG)).toBeNull();
    expect(gradeClassOf(7.49, DEFAULT_SCORE_CONFIG)).toBe('gentle');
    expect(gradeClassOf(-7.5, DEFAULT_SCORE_CONFIG)).toBe('steep');
    expect(gradeClassOf(9.99, DEFAULT_SCORE_CONFIG)).toBe('steep');
    expect(gradeClassOf(-10, DEFAULT_SCORE_CONFIG)).toBe('very_steep');
  });
});
