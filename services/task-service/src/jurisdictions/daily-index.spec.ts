import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { INDICATORS, IndexFacts, band, combine, dailyIndex, normalise } from './daily-index';

const quiet: IndexFacts = {
  newHazards: 0,
  openHazards: 0,
  crashes30d: 0,
  deathsSerious30d: 0,
  overdueTasks: 0,
  unassignedTasks: 0,
  redSegments: 0,
  roadKm: 80,
  meanDaysToFix: null,
  reopenedAfterVerification90d: 0,
  verified90d: 0,
  dueTasks30d: 0,
  dueTasksMet30d: 0,
};

describe('daily index', () => {
  it('has weights that sum to 1 and one definition per indicator', () => {
    expect(INDICATORS.reduce((s, d) => s + d.weight, 0)).toBeCloseTo(1, 10);
    expect(new Set(INDICATORS.map((d) => d.name)).size).toBe(INDICATORS.length);
  });

  it('normalises against the fixed reference, capped at 1 and floored at 0', () => {
    expect(normalise(5, 10)).toBe(0.5);
    expect(normalise(30, 10)).toBe(1);
    expect(normalise(-1, 10)).toBe(0);
    expect(normalise(null, 10)).toBeNull();
  });

  it('combines the indicators present, scaling up the weights of the others', () => {
    expect(combine([{ weight: 0.5, normalised: 1 }, { weight: 0.5, normalised: 0 }])).toBe(50);
    expect(combine([{ weight: 0.25, normalised: 1 }, { weight: 0.75, normalised: null }])).toBe(100);
    expect(combine([{ weight: 0.25, normalised: null }])).toBeNull();
  });

  it.each([
    [0, 'green'],
    [9.9, 'green'],
    [10, 'blue'],
    [24.9, 'blue'],
    [25, 'yellow'],
    [45, 'orange'],
    [64.9, 'orange'],
    [65, 'red'],
    [100, 'red'],
  ])('bands %d as %s', (index, colour) => expect(band(index)).toBe(colour));

  it('gives a quiet jurisdiction 0 (green) and one full of open hazards and overdue tasks a worse band', () => {
    expect(dailyIndex(quiet)).toMatchObject({ index: 0, band: 'green' });
    const busy = dailyIndex({ ...quiet, openHazards: 12, newHazards: 3, overdueTasks: 6, unassignedTasks: 2, redSegments: 4, dueTasks30d: 4, dueTasksMet30d: 1 });
    expect(busy.indicators.openHazards).toEqual({ value: 12, normalised: 1 });
    expect(busy.indicators.redSegmentsPer100km).toEqual({ value: 5, normalised: 1 });
    expect(busy.indicators.slaMissRate).toEqual({ value: 0.75, normalised: 1 });
    expect(busy.indicators.meanDaysToFix).toEqual({ value: null, normalised: null });
    // 0.05·0.6 + 0.15 + 0.15 + 0.05·0.4 + 0.15 + 0.1 over the weights present (0.9: nothing verified, so
    // no mean repair time and no recurrence rate).
    expect(busy.index).toBe(66.7);
    expect(busy.band).toBe('red');
  });

  it('rates recurrence per verification, and a reopening without any verification in the window as 1', () => {
    expect(dailyIndex({ ...quiet, reopenedAfterVerification90d: 1, verified90d: 8 }).indicators.recurrenceRate).toEqual({ value: 0.125, normalised: 0.5 });
    expect(dailyIndex({ ...quiet, reopenedAfterVerification90d: 1 }).indicators.recurrenceRate.value).toBe(1);
  });

  it('leaves out indicators known only on the day (unassigned tasks, red segments) for rebuilt history', () => {
    const rebuilt = dailyIndex({ ...quiet, unassignedTasks: null, redSegments: null, overdueTasks: 5 });
    expect(rebuilt.indicators.unassignedTasks.value).toBeNull();
    expect(rebuilt.indicators.redSegmentsPer100km.value).toBeNull();
    // Overdue tasks (0.15, at its reference) over the weights present: 1 − 0.05 − 0.05 − 0.1 (nothing verified or due) − 0.05 − 0.15.
    expect(rebuilt.index).toBe(25);
  });

  it('stays within 0–100 and never gets better when a count grows', () => {
    const count = fc.nat({ max: 1000 });
    fc.assert(
      fc.property(count, count, count, count, fc.nat({ max: 50 }), (open, overdue, crashes, ksi, extra) => {
        const facts = { ...quiet, openHazards: open, overdueTasks: overdue, crashes30d: crashes, deathsSerious30d: ksi };
        const a = dailyIndex(facts).index!;
        const b = dailyIndex({ ...facts, openHazards: open + extra }).index!;
        return a >= 0 && a <= 100 && b >= a;
      }),
    );
  });
});
