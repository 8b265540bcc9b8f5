/**
 * The daily index of a jurisdiction, after the model county's morning "safety report" (a daily index
 * over a set of indicators drawn as a five-colour map, beside the red / yellow / green warning).
 *
 * Each indicator is normalised to 0–1 against a fixed reference — `min(1, value / reference)`, the
 * value at which it counts as fully bad — never against the other jurisdictions, so a township's
 * index can be compared from day to day. The index is the weighted mean of the normalised values
 * that exist that day (an indicator without a value, e.g. a mean repair time with nothing repaired,
 * drops out and the others' weights are scaled up), times 100: 0 is quiet, 100 is every indicator at
 * or past its reference. Higher is worse. Pure: no database, no clock.
 */

export const INDEX_METHOD_VERSION = 1;

export interface IndicatorDefinition {
  name: IndicatorName;
  description: string;
  unit: string;
  /** Share of the index, 0–1; the weights sum to 1. */
  weight: number;
  direction: 'higher_is_worse';
  /** The value normalised to 1 (normalised = min(1, value / reference)). */
  reference: number;
  /** Whether past days can be rebuilt from timestamped facts; `false`: known only from the day it was computed live. */
  historical: boolean;
}

export const INDICATOR_NAMES = [
  'newHazards',
  'openHazards',
  'crashes30d',
  'deathsSerious30d',
  'overdueTasks',
  'unassignedTasks',
  'redSegmentsPer100km',
  'meanDaysToFix',
  'recurrenceRate',
  'slaMissRate',
] as const;
export type IndicatorName = (typeof INDICATOR_NAMES)[number];

export const INDICATORS: readonly IndicatorDefinition[] = [
  { name: 'newHazards', description: 'hazards reported on the jurisdiction\'s segments during the day', unit: 'hazards', weight: 0.05, direction: 'higher_is_worse', reference: 5, historical: true },
  { name: 'openHazards', description: 'hazards not resolved by a verified fix at the end of the day', unit: 'hazards', weight: 0.15, direction: 'higher_is_worse', reference: 10, historical: true },
  { name: 'crashes30d', description: 'crashes in the 30 days up to the end of the day', unit: 'crashes', weight: 0.1, direction: 'higher_is_worse', reference: 5, historical: true },
  { name: 'deathsSerious30d', description: 'deaths plus serious injuries in those crashes', unit: 'people', weight: 0.15, direction: 'higher_is_worse', reference: 3, historical: true },
  { name: 'overdueTasks', description: 'tasks past due while the crew still owes the fix, at the end of the day', unit: 'tasks', weight: 0.15, direction: 'higher_is_worse', reference: 5, historical: true },
  { name: 'unassignedTasks', description: 'open tasks no crew holds', unit: 'tasks', weight: 0.05, direction: 'higher_is_worse', reference: 5, historical: false },
  { name: 'redSegmentsPer100km', description: 'segments at the top risk level (very_high, red on the map; the exposure level from the import until the live level first changes) per 100 km of the jurisdiction\'s roads', unit: 'segments / 100 km', weight: 0.15, direction: 'higher_is_worse', reference: 5, historical: false },
  { name: 'meanDaysToFix', description: 'mean days from opening to verification of the tasks verified in the last 30 days', unit: 'days', weight: 0.05, direction: 'higher_is_worse', reference: 10, historical: true },
  { name: 'recurrenceRate', description: 'verified fixes reopened because they did not hold, per verification, over the last 90 days', unit: 'ratio', weight: 0.05, direction: 'higher_is_worse', reference: 0.25, historical: true },
  { name: 'slaMissRate', description: 'share of the tasks that fell due in the last 30 days without a fix submitted by their due time (1 − SLA compliance)', unit: 'ratio', weight: 0.1, direction: 'higher_is_worse', reference: 0.5, historical: true },
];

export const INDEX_BANDS = ['green', 'blue', 'yellow', 'orange', 'red'] as const;
export type IndexBand = (typeof INDEX_BANDS)[number];
/** Lower bounds of blue, yellow, orange and red on the 0–100 index (green below 10). */
export const BAND_CUTS: readonly [number, number, number, number] = [10, 25, 45, 65];

/** What the database counts for one jurisdiction at one instant (null: unknown that day). */
export interface IndexFacts {
  newHazards: number;
  openHazards: number;
  crashes30d: number;
  deathsSerious30d: number;
  overdueTasks: number;
  unassignedTasks: number | null;
  redSegments: number | null;
  roadKm: number;
  /** Mean over the tasks verified in the last 30 days; null when none was. */
  meanDaysToFix: number | null;
  reopenedAfterVerification90d: number;
  verified90d: number;
  dueTasks30d: number;
  dueTasksMet30d: number;
}

export interface IndicatorValue {
  value: number | null;
  normalised: number | null;
}

export interface DailyIndex {
  /** 0–100, one decimal; null when no indicator has a value. */
  index: number | null;
  band: IndexBand | null;
  indicators: Record<IndicatorName, IndicatorValue>;
}

/** The raw value of each indicator from the facts (null when it has no meaning that day). */
export function indicatorValues(f: IndexFacts): Record<IndicatorName, number | null> {
  return {
    newHazards: f.newHazards,
    openHazards: f.openHazards,
    crashes30d: f.crashes30d,
    deathsSerious30d: f.deathsSerious30d,
    overdueTasks: f.overdueTasks,
    unassignedTasks: f.unassignedTasks,
    redSegmentsPer100km: f.redSegments === null || f.roadKm <= 0 ? null : round((f.redSegments / f.roadKm) * 100, 3),
    meanDaysToFix: f.meanDaysToFix === null ? null : round(f.meanDaysToFix, 2),
    recurrenceRate: f.verified90d > 0 ? round(f.reopenedAfterVerification90d / f.verified90d, 3) : f.reopenedAfterVerification90d > 0 ? 1 : null,
    slaMissRate: f.dueTasks30d > 0 ? round(1 - f.dueTasksMet30d / f.dueTasks30d, 3) : null,
  };
}

/** min(1, value / reference), never below 0; null stays null. */
export function normalise(value: number | null, reference: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return round(Math.min(1, Math.max(0, value / reference)), 4);
}

/** 100 × the weighted mean of the normalised values present (weights of missing ones are left out). */
export function combine(parts: readonly { weight: number; normalised: number | null }[]): number | null {
  const present = parts.filter((p) => p.normalised !== null && p.weight > 0);
  const weight = present.reduce((s, p) => s + p.weight, 0);
  if (weight === 0) return null;
  return round((100 * present.reduce((s, p) => s + p.weight * p.normalised!, 0)) / weight, 1);
}

/** green < 10 ≤ blue < 25 ≤ yellow < 45 ≤ orange < 65 ≤ red. */
export function band(index: number): IndexBand {
  const above = BAND_CUTS.filter((cut) => index >= cut).length;
  return INDEX_BANDS[above];
}

export function dailyIndex(facts: IndexFacts, definitions: readonly IndicatorDefinition[] = INDICATORS): DailyIndex {
  const values = indicatorValues(facts);
  const indicators = Object.fromEntries(
    definitions.map((d) => [d.name, { value: values[d.name], normalised: normalise(values[d.name], d.reference) }]),
  ) as Record<IndicatorName, IndicatorValue>;
  const index = combine(definitions.map((d) => ({ weight: d.weight, normalised: indicators[d.name].normalised })));
  return { index, band: index === null ? null : band(index), indicators };
}

/** The method as published with every answer. */
export function indexMethod() {
  return {
    version: INDEX_METHOD_VERSION,
    scale: '0–100, higher is worse',
    normalisation: 'min(1, value / reference) per indicator, a fixed reference (not relative to other jurisdictions)',
    combination: '100 × weighted mean of the normalised indicators that have a value that day',
    bands: { green: '< 10', blue: '10–25', yellow: '25–45', orange: '45–65', red: '≥ 65' },
    day: 'UTC calendar day; today is computed live up to now, past days are frozen once read',
    indicators: INDICATORS,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
