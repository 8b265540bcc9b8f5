import { describe, expect, it } from '@jest/globals';
import { sideSeverity } from './roadside';
import { DEFAULT_SCORE_CONFIG } from './score.config';

const cfg = DEFAULT_SCORE_CONFIG; // drop: none below 10 m, full (10 points) from 25 m; guardrail removes 70 %
const f = (...xs: number[]) => Float64Array.from(xs);
const g = (...xs: number[]) => Uint8Array.from(xs);
const open = { tunnel: false, parapet: false };

describe(sideSeverity.name, () => {
  it('counts only the worst object at each station and averages over the stations', () => {
    const s = sideSeverity({ water: f(10, 0, 5, 0), dropM: f(25, 25, NaN, 0), cliff: f(0, 0, 0, 10), guarded: g(0, 0, 0, 0) }, open, cfg);
    // Station 0: water 10 ties the 25 m drop (10): the drop counts; 1: drop 10; 2: water 5 (unknown drop = none); 3: cliff 10.
    expect(s).toEqual({ water: 5 / 4, dropOff: 20 / 4, cliff: 10 / 4, guardrail: 0 });
  });

  it('takes the guardrail share off where a guardrail or a parapet stands', () => {
    const side = { water: f(10, 10), dropM: f(0, 0), cliff: null, guarded: g(1, 0) };
    expect(sideSeverity(side, open, cfg).guardrail).toBeCloseTo((-10 * 0.7) / 2, 12);
    expect(sideSeverity(side, { tunnel: false, parapet: true }, cfg).guardrail).toBeCloseTo(-10 * 0.7, 12);
  });

  it('sees no water in a tunnel', () => {
    expect(sideSeverity({ water: f(10, 10), dropM: f(0, 0), cliff: null, guarded: g(0, 0) }, { tunnel: true, parapet: false }, cfg)).toEqual({
      water: 0,
      dropOff: 0,
      cliff: 0,
      guardrail: 0,
    });
  });
});
