import { describe, expect, it } from '@jest/globals';
import { Ranked, compareRankings } from './ranking-comparison';

const r = (segmentId: string, score: number, level: Ranked['level'] = 'low'): Ranked => ({ segmentId, score, level });

describe(compareRankings.name, () => {
  it('finds identical rankings identical', () => {
    const a = [r('a', 0.5, 'very_high'), r('b', 0.2, 'high'), r('c', 0.01, 'very_low')];
    const c = compareRankings(a, [...a].reverse(), 2);
    expect(c.spearman).toBe(1);
    expect(c.moved).toEqual([]);
    expect(c.top).toEqual({ n: 2, base: ['a', 'b'], other: ['a', 'b'], overlap: 2 });
  });

  it('finds a reversed ranking perfectly anti-correlated, and lists the level moves largest first', () => {
    const base = [r('a', 0.5, 'very_high'), r('b', 0.1, 'medium'), r('c', 0.01, 'very_low')];
    const other = [r('a', 0.01, 'very_low'), r('b', 0.1, 'medium'), r('c', 0.5, 'very_high')];
    const c = compareRankings(base, other, 1);
    expect(c.spearman).toBe(-1);
    expect(c.top.overlap).toBe(0);
    expect(c.moved.map((m) => [m.segmentId, m.from, m.to, m.steps, m.baseRank, m.otherRank])).toEqual([
      ['a', 'very_high', 'very_low', -4, 1, 3],
      ['c', 'very_low', 'very_high', 4, 3, 1],
    ]);
    expect(c.levels.very_high).toEqual({ base: 1, other: 1 });
  });

  it('gives tied scores their mean rank (Spearman with ties), and compares only the common segments', () => {
    // base ranks a 1, b 2.5, c 2.5; other a 3, b 1, c 2 → ρ = Pearson of (1, 2.5, 2.5) and (3, 1, 2).
    const base = [r('a', 3), r('b', 1), r('c', 1), r('gone', 9)];
    const other = [r('a', 1), r('b', 3), r('c', 2), r('new', 9)];
    const c = compareRankings(base, other, 3);
    expect(c.segments).toBe(3);
    expect([c.onlyInBase, c.onlyInOther]).toEqual([1, 1]);
    const x = [1, 2.5, 2.5];
    const y = [3, 1, 2];
    const mean = (v: number[]) => v.reduce((s, n) => s + n, 0) / v.length;
    const [mx, my] = [mean(x), mean(y)];
    const cov = x.reduce((s, xi, i) => s + (xi - mx) * (y[i] - my), 0);
    const expected = cov / Math.sqrt(x.reduce((s, xi) => s + (xi - mx) ** 2, 0) * y.reduce((s, yi) => s + (yi - my) ** 2, 0));
    expect(c.spearman).toBeCloseTo(expected, 6);
    expect(c.top.base).toEqual(['a', 'c', 'b']);
  });
});
