import type { HazardCategory, HazardSeverity } from '@roadloop/contracts';
import { Random } from './random';

/** What the scenario needs to know of a road segment (from the segments GeoJSON of the API). */
export interface SegmentSample {
  id: string;
  coordinates: [number, number][];
  lengthM: number;
  exposureScore: number;
  waterSide: boolean;
  cliffSide: boolean;
}

/** A hazard report as the public posts it (`POST /v1/hazards`). */
export interface HazardPost {
  category: HazardCategory;
  severity: HazardSeverity;
  lon: number;
  lat: number;
  reportedAt: string;
  description: string;
}

/** A crash as the police system posts it (`POST /v1/accidents`). */
export interface AccidentPost {
  externalId: string;
  occurredAt: string;
  lon: number;
  lat: number;
  deaths: number;
  seriousInjuries: number;
  slightInjuries: number;
  propertyDamageOnly: boolean;
  vehicles: number;
  weather: 'clear' | 'rain' | 'snow' | 'fog' | 'ice';
  light: 'daylight' | 'dusk_dawn' | 'dark_unlit';
  description: string;
}

export interface ScenarioOptions {
  now: Date;
  /** Crash history: years back from `now`, and crashes per year over the whole network. */
  crashYears: number;
  crashesPerYear: number;
  /** Hazard reports: days back from `now`, and reports per day. */
  hazardDays: number;
  hazardsPerDay: number;
  /** Prefix of the crashes' external ids, so a second replay of the same seed records nothing twice. */
  runLabel: string;
}

export interface Scenario {
  hazards: HazardPost[];
  accidents: AccidentPost[];
}

const DAY_MS = 86_400_000;

/**
 * Where things go wrong on mountain roads: crashes concentrate where the roadside is unforgiving
 * (the exposure score: water, drops, cliffs, curves, grades), in proportion to length; hazards
 * follow the roadside too (rockfall under cliffs, flooding beside rivers).
 */
export function crashWeight(s: SegmentSample): number {
  return s.lengthM * (1 + s.exposureScore / 5);
}

const EVERYWHERE: readonly HazardCategory[] = ['pothole', 'ice', 'debris', 'sight_obstruction', 'missing_sign'];
const UNDER_CLIFFS: readonly HazardCategory[] = ['rockfall', 'rockfall', 'landslide', 'damaged_guardrail', 'missing_guardrail'];
const BESIDE_WATER: readonly HazardCategory[] = ['flooded_road', 'missing_guardrail', 'damaged_guardrail'];

const HAZARD_TEXT: Record<HazardCategory, string> = {
  rockfall: 'Rocks on the carriageway below the cut slope',
  landslide: 'Earth and stones slid onto the road after rain',
  missing_guardrail: 'No barrier on the drop side of the bend',
  damaged_guardrail: 'Guardrail bent and detached after an impact',
  flooded_road: 'Water across the road beside the river',
  pothole: 'Deep pothole in the wheel track',
  sight_obstruction: 'Vegetation hides the inside of the bend',
  missing_sign: 'Curve warning sign knocked down',
  ice: 'Black ice in the shaded section',
  debris: 'Branches and gravel on the road',
  other: 'Something dangerous on the road',
};

export function hazardCategoryFor(s: SegmentSample, random: Random): HazardCategory {
  const pool = [...EVERYWHERE, ...(s.cliffSide ? UNDER_CLIFFS : []), ...(s.waterSide ? BESIDE_WATER : [])];
  return random.pick(pool);
}

export function hazardSeverity(random: Random): HazardSeverity {
  const r = random.next();
  return r < 0.3 ? 'low' : r < 0.7 ? 'medium' : r < 0.92 ? 'high' : 'critical';
}

/** A point on the segment at a random fraction of its length (segments are ≤ 100 m: planar interpolation is exact enough). */
export function pointOn(s: SegmentSample, random: Random): [number, number] {
  const c = s.coordinates;
  if (c.length < 2) return c[0];
  const lengths: number[] = [];
  let total = 0;
  for (let i = 1; i < c.length; i++) {
    const dx = (c[i][0] - c[i - 1][0]) * Math.cos((c[i][1] * Math.PI) / 180);
    const dy = c[i][1] - c[i - 1][1];
    const d = Math.hypot(dx, dy);
    lengths.push(d);
    total += d;
  }
  let target = random.next() * total;
  for (let i = 0; i < lengths.length; i++) {
    if (target <= lengths[i] || i === lengths.length - 1) {
      const f = lengths[i] > 0 ? Math.min(1, target / lengths[i]) : 0;
      const round = (v: number) => Math.round(v * 1e7) / 1e7;
      return [round(c[i][0] + f * (c[i + 1][0] - c[i][0])), round(c[i][1] + f * (c[i + 1][1] - c[i][1]))];
    }
    target -= lengths[i];
  }
  return c[c.length - 1];
}

/** Crash outcome mix of rural mountain roads: few deaths, many slight injuries and damage-only crashes. */
export function crashOutcome(random: Random): Pick<AccidentPost, 'deaths' | 'seriousInjuries' | 'slightInjuries' | 'propertyDamageOnly'> {
  const r = random.next();
  if (r < 0.03) return { deaths: 1, seriousInjuries: random.int(0, 2), slightInjuries: random.int(0, 2), propertyDamageOnly: false };
  if (r < 0.15) return { deaths: 0, seriousInjuries: random.int(1, 2), slightInjuries: random.int(0, 2), propertyDamageOnly: false };
  if (r < 0.6) return { deaths: 0, seriousInjuries: 0, slightInjuries: random.int(1, 3), propertyDamageOnly: false };
  return { deaths: 0, seriousInjuries: 0, slightInjuries: 0, propertyDamageOnly: true };
}

function weatherIn(month: number, random: Random): AccidentPost['weather'] {
  const winter = month <= 2 || month >= 10;
  const r = random.next();
  if (winter) return r < 0.15 ? 'snow' : r < 0.3 ? 'ice' : r < 0.45 ? 'rain' : r < 0.55 ? 'fog' : 'clear';
  return r < 0.2 ? 'rain' : r < 0.27 ? 'fog' : 'clear';
}

function lightAt(hour: number): AccidentPost['light'] {
  if (hour >= 8 && hour < 17) return 'daylight';
  if (hour === 7 || hour === 17 || hour === 18) return 'dusk_dawn';
  return 'dark_unlit';
}

/** A time in the `days` before `now`, mostly by day (traffic follows the daylight hours). */
function pastTime(now: Date, days: number, random: Random): Date {
  const day = Math.floor(now.getTime() / DAY_MS) - random.int(1, Math.max(1, Math.floor(days)));
  const hour = random.chance(0.8) ? random.int(7, 20) : random.int(0, 23);
  return new Date(day * DAY_MS + hour * 3_600_000 + random.int(0, 3599) * 1000);
}

export function makeHazard(s: SegmentSample, at: Date, random: Random): HazardPost {
  const [lon, lat] = pointOn(s, random);
  const category = hazardCategoryFor(s, random);
  return { category, severity: hazardSeverity(random), lon, lat, reportedAt: at.toISOString(), description: HAZARD_TEXT[category] };
}

export function makeAccident(s: SegmentSample, at: Date, externalId: string, random: Random): AccidentPost {
  const [lon, lat] = pointOn(s, random);
  const outcome = crashOutcome(random);
  const singleVehicle = s.waterSide || s.cliffSide ? random.chance(0.7) : random.chance(0.4);
  return {
    externalId,
    occurredAt: at.toISOString(),
    lon,
    lat,
    ...outcome,
    vehicles: singleVehicle ? 1 : random.int(2, 3),
    weather: weatherIn(at.getUTCMonth(), random),
    light: lightAt(at.getUTCHours()),
    description: singleVehicle ? 'Single vehicle left the road' : 'Collision in the bend',
  };
}

/**
 * The scripted history replayed at start: years of crashes (so the Empirical Bayes estimates have
 * something to rest on) and weeks of hazard reports, each placed on a segment chosen by its roadside.
 * The result is sorted by time, oldest first, as the events would have arrived.
 */
export function buildScenario(segments: readonly SegmentSample[], options: ScenarioOptions, random: Random): Scenario {
  if (segments.length === 0) return { hazards: [], accidents: [] };
  const accidents: AccidentPost[] = [];
  const crashCount = Math.round(options.crashYears * options.crashesPerYear);
  for (let i = 0; i < crashCount; i++) {
    const s = random.weighted(segments, crashWeight);
    accidents.push(makeAccident(s, pastTime(options.now, options.crashYears * 365, random), `${options.runLabel}-c${i + 1}`, random));
  }
  const hazards: HazardPost[] = [];
  const hazardCount = Math.round(options.hazardDays * options.hazardsPerDay);
  for (let i = 0; i < hazardCount; i++) {
    const s = random.weighted(segments, (x) => x.lengthM * (1 + (x.cliffSide ? 2 : 0) + (x.waterSide ? 1 : 0)));
    hazards.push(makeHazard(s, pastTime(options.now, options.hazardDays, random), random));
  }
  accidents.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  hazards.sort((a, b) => a.reportedAt.localeCompare(b.reportedAt));
  return { hazards, accidents };
}
