import { describe, expect, it } from '@jest/globals';
import { goldenOutput, scoreFixture } from '../../test/fixture-engine';
import { expectGolden, goldenCases } from '../../test/golden';
import { DEFAULT_SCORE_CONFIG } from '../score/score.config';
import { curvatureClassOf } from './curvature.attribute';

describe('curvature radius of known arcs (golden fixtures)', () => {
  for (const c of goldenCases('curvature')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const { segments } = scoreFixture(c);
      const radii = segments.features.map((f) => f.properties.curvatureRadiusM).filter((r): r is number => r !== null);
      const expected = c.params.expected as { minRadiusM: number | null; curvatureClass: string; toleranceShare?: number; perSegmentClass?: string[] };
      const tolerance = expected.toleranceShare ?? 0.02;
      if (expected.minRadiusM === null) expect(radii).toEqual([]);
      else {
        const min = Math.min(...radii);
        expect(Math.abs(min - expected.minRadiusM) / expected.minRadiusM).toBeLessThan(tolerance);
      }
      if (expected.perSegmentClass) expect(segments.features.map((f) => f.properties.curvatureClass)).toEqual(expected.perSegmentClass);
      const classes = segments.features.map((f) => f.properties.curvatureClass);
      const order = ['straight', 'moderate', 'sharp', 'very_sharp'];
      const worst = classes.reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), 'straight');
      expect(worst).toBe(expected.curvatureClass);
      expectGolden(c, goldenOutput(c, segments.features, ['lengthM', 'curvatureRadiusM', 'curvatureClass']));
    });
  }
});

describe(curvatureClassOf.name, () => {
  it('uses the configured radius bands', () => {
    expect(curvatureClassOf(10, DEFAULT_SCORE_CONFIG)).toBe('very_sharp');
    expect(curvatureClassOf(50, DEFAULT_SCORE_CONFIG)).toBe('sharp');
    expect(curvatureClassOf(149.9, DEFAULT_SCORE_CONFIG)).toBe('sharp');
    expect(curvatureClassOf(150, DEFAULT_SCORE_CONFIG)).toBe('moderate');
    expect(curvatureClassOf(400, DEFAULT_SCORE_CONFIG)).toBe('straight');
    expect(curvatureClassOf(Infinity, DEFAULT_SCORE_CONFIG)).toBe('straight');
  });
});
