import { describe, expect, it } from '@jest/globals';
import { goldenOutput, scoreFixture } from '../../test/fixture-engine';
import { expectGolden, goldenCases } from '../../test/golden';

describe('guardrail coverage (golden fixtures)', () => {
  for (const c of goldenCases('guardrail')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const { segments } = scoreFixture(c);
      expect(segments.features).toHaveLength(1);
      expect(segments.features[0].properties.guardrail).toEqual(c.params.expected);
      expectGolden(c, goldenOutput(c, segments.features, ['guardrail']));
    });
  }
});
