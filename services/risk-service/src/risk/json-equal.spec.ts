import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { asJson, sameAsJson } from './json-equal';

const throughJson = (a: unknown, b: unknown) => isDeepStrictEqual(asJson(a), asJson(b));

describe(sameAsJson.name, () => {
  it('answers as comparing the two through JSON does, for any values', () => {
    const value = fc.anything({ withDate: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true, maxDepth: 4 });
    fc.assert(fc.property(value, value, (a, b) => sameAsJson(a, b) === throughJson(a, b)), { numRuns: 5_000 });
  });

  it('answers as comparing through JSON does for a value and its own JSON copy, changed in one place or not', () => {
    const value = fc.anything({ withDate: true, withSparseArray: true, maxDepth: 4 });
    fc.assert(
      fc.property(value, fc.anything({ maxDepth: 1 }), fc.nat(), (a, replacement, at) => {
        let copy: unknown;
        try {
          copy = asJson(a);
        } catch {
          return true;
        }
        expect(sameAsJson(a, copy)).toBe(true);
        const changed = replaceOne(copy, replacement, at);
        return sameAsJson(a, changed) === throughJson(a, changed) && sameAsJson(changed, a) === throughJson(changed, a);
      }),
      { numRuns: 5_000 },
    );
  });

  it('compares explanations as stored: key order, undefined keys and -0 aside, a number or a key apart', () => {
    const stored = { factors: [{ factor: 'hazard', value: 2.2, hazardCategory: 'rockfall' }], crashes: { observed: 1, expected: 0.4 } };
    expect(sameAsJson(stored, { crashes: { expected: 0.4, observed: 1 }, factors: [{ hazardCategory: 'rockfall', value: 2.2, factor: 'hazard', note: undefined }] })).toBe(true);
    expect(sameAsJson({ v: 0 }, { v: -0 })).toBe(true);
    expect(sameAsJson(undefined, null)).toBe(true);
    expect(sameAsJson([undefined], [null])).toBe(true);
    expect(sameAsJson(stored, { ...stored, crashes: { observed: 1, expected: 0.41 } })).toBe(false);
    expect(sameAsJson(stored, { ...stored, extra: 1 })).toBe(false);
    expect(sameAsJson({ at: new Date('2026-12-01T00:00:00Z') }, { at: '2026-12-01T00:00:00.000Z' })).toBe(true);
    expect(sameAsJson({ v: Number.NaN }, { v: null })).toBe(true);
    expect(sameAsJson({ f: () => 1 }, {})).toBe(true);
    const shown = Object.assign([1], { toJSON: () => 'x' });
    expect(sameAsJson(shown, 'x')).toBe(true);
    expect(sameAsJson(shown, [1])).toBe(false);
  });

  it('compares plain data, undefined parts included, without serialising it', () => {
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const factors = [{ factor: 'hazard', value: 2.2, hazardCategory: 'rockfall', note: undefined }, { factor: 'curve', value: 1.4 }];
      expect(sameAsJson(factors, [{ hazardCategory: 'rockfall', value: 2.2, factor: 'hazard' }, { factor: 'curve', value: 1.4 }])).toBe(true);
      expect(sameAsJson(factors, [{ factor: 'hazard', value: 2.2, hazardCategory: 'rockfall' }, { factor: 'curve', value: 1.5 }])).toBe(false);
      expect(sameAsJson([undefined, 1], [null, 1])).toBe(true);
      expect(sameAsJson(undefined, { a: undefined })).toBe(false);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
  });
});

/** `value` with the `at`-th part met depth-first (itself when it has none) replaced. */
function replaceOne(value: unknown, replacement: unknown, at: number): unknown {
  let n = at;
  const walk = (v: unknown): unknown => {
    if (n-- === 0) return replacement;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
