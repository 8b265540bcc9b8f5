import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Choice, greedySelection, inOrderUntilSpent, solveSelection } from './solve';

const choice = (id: string, cost: number, fsiPrevented: number, group = id): Choice => ({ id, group, cost, fsiPrevented, bcr: fsiPrevented / cost });

/** The best selection by trying every subset (small cases only). */
function bruteForce(choices: readonly Choice[], budget: number): number {
  let best = 0;
  for (let mask = 0; mask < 1 << choices.length; mask++) {
    const picked = choices.filter((_, i) => mask & (1 << i));
    const groups = new Set(picked.map((c) => c.group));
    const cost = picked.reduce((s, c) => s + c.cost, 0);
    if (groups.size === picked.length && cost <= budget) best = Math.max(best, picked.reduce((s, c) => s + c.fsiPrevented, 0));
  }
  return best;
}

describe('solveSelection (HiGHS MILP)', () => {
  it('beats the greedy benefit–cost order where the best ratio crowds out a better pair', async () => {
    // Budget 10: greedy takes A (ratio 1.17), then neither B nor C fits; B + C prevent more.
    const choices = [choice('A', 6, 7), choice('B', 5, 5), choice('C', 5, 5)];
    expect(greedySelection(choices, 10)).toMatchObject({ ids: ['A'], fsiPrevented: 7 });
    const best = await solveSelection(choices, 10);
    expect(best).toMatchObject({ status: 'Optimal', cost: 10, fsiPrevented: 10 });
    expect(best.ids.sort()).toEqual(['B', 'C']);
  });

  it('takes at most one countermeasure per stretch and side, the better one for the budget', async () => {
    // Guardrail or delineators on stretch s1 (not both); greedy takes the cheap delineators and then cannot afford the guardrail.
    const choices = [choice('s1-delineators', 2, 3, 's1'), choice('s1-guardrail', 9, 8, 's1'), choice('s2-sign', 1, 0.5, 's2')];
    expect(greedySelection(choices, 10).fsiPrevented).toBe(3.5);
    const best = await solveSelection(choices, 10);
    expect(best.ids.sort()).toEqual(['s1-guardrail', 's2-sign']);
    expect(best.fsiPrevented).toBe(8.5);
  });

  it('never spends beyond the budget, and is at least as good as greedy and as good as every subset (property)', async () => {
    const arb = fc.record({
      items: fc.array(fc.record({ cost: fc.integer({ min: 1, max: 40 }), fsi: fc.integer({ min: 0, max: 50 }), group: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 10 }),
      budget: fc.integer({ min: 0, max: 120 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ items, budget }) => {
        const choices = items.map((it, i) => choice(`c${i}`, it.cost, it.fsi / 10, `g${it.group}`));
        const best = await solveSelection(choices, budget);
        expect(best.cost).toBeLessThanOrEqual(budget);
        expect(new Set(best.ids.map((id) => choices.find((c) => c.id === id)!.group)).size).toBe(best.ids.length);
        expect(best.fsiPrevented).toBeGreaterThanOrEqual(greedySelection(choices, budget).fsiPrevented - 1e-9);
        expect(best.fsiPrevented).toBeCloseTo(bruteForce(choices, budget), 6);
      }),
      { numRuns: 60, seed: 20261205 },
    );
    // Sixty solver runs and brute forces: seconds on a busy two-core machine, beyond jest's default 5 s.
  }, 60_000);
});

describe('inOrderUntilSpent (the naive plan)', () => {
  it('takes candidates in the given order and stops at the first it cannot afford', () => {
    const plan = inOrderUntilSpent([choice('a', 4, 1), choice('b', 4, 1), choice('c', 4, 9), choice('d', 1, 9)], 10);
    expect(plan).toEqual({ ids: ['a', 'b'], cost: 8, fsiPrevented: 2 });
  });
});
