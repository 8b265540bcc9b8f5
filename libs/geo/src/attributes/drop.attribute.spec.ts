import { describe, expect, it } from '@jest/globals';
import { goldenOutput, scoreFixture } from '../../test/fixture-engine';
import { expectGolden, goldenCases } from '../../test/golden';
import { dropSeverity } from './drop.attribute';

describe('drop-off and cliff side on synthetic terrain (golden fixtures)', () => {
  for (const c of goldenCases('drop')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const { segments } = scoreFixture(c);
      expect(segments.features).toHaveLength(1);
      const p = segments.features[0].properties;
      const expected = c.params.expected as Record<string, number | string | boolean | null>;
      for (const key of ['dropLeftM', 'dropRightM', 'gradePct'] as const) {
        if (!(key in expected)) continue;
        const want = expected[key];
        // Elevations are stored as whole metres: allow the rounding of two samples.
        if (want === null) expect(p[key]).toBeNull();
        else expect(Math.abs((p[key] as number) - (want as number))).toBeLessThanOrEqual(1.1);
      }
      expect(p.cliffSide).toBe(expected.cliffSide);
      if ('cliffMapped' in expected) expect(p.cliffMapped).toBe(expected.cliffMapped);
      if (expected.dropLeftM === null) expect(p.unknown).toContain('dropOff');
      expectGolden(c, goldenOutput(c, segments.features, ['dropLeftM', 'dropRightM', 'cliffSide', 'cliffMapped', 'gradePct', 'elevationM', 'unknown']));
    });
  }
});

describe(dropSeverity.name, () => {
  it('is 0 up to the minimum drop, linear to full, then flat', () => {
    expect(dropSeverity(5, 10, 25, 10)).toBe(0);
    expect(dropSeverity(10, 10, 25, 10)).toBe(0);
    expect(dropSeverity(17.5, 10, 25, 10)).toBeCloseTo(5, 12);
    expect(dropSeverity(25, 10, 25, 10)).toBe(10);
    expect(dropSeverity(200, 10, 25, 10)).toBe(10);
    expect(dropSeverity(Number.NaN, 10, 25, 10)).toBe(0);
  });
});
