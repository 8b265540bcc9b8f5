/**
 * Longitudinal grade from the road profile: the least-squares slope of elevation against
 * distance over a window of at least `windowM` centred on the segment (a 3″ grid has ~90 m
 * cells, so a shorter base would mostly measure interpolation), in per cent, positive uphill in
 * the way's direction.
 */
import type { WayRun } from '../segment/segment-way';
import type { GradeClass, ScoreConfig } from '../score/score.config';
import type { RoadProfile } from './road-profile';

export interface GradeParams {
  windowM: number;
  sampleStepM: number;
  maxPlausiblePct: number;
}

/** Grade in per cent; null when too little of the window has known elevation or it is implausible. */
export function gradePercent(run: WayRun, startM: number, endM: number, profile: RoadProfile, p: GradeParams): number | null {
  const length = endM - startM;
  const width = Math.min(run.lengthM, Math.max(length, p.windowM));
  const mid = (startM + endM) / 2;
  let lo = mid - width / 2;
  let hi = mid + width / 2;
  // At a way's end, slide the window back inside rather than shrink it.
  if (lo < 0) (hi -= lo), (lo = 0);
  if (hi > run.lengthM) (lo -= hi - run.lengthM), (hi = run.lengthM);
  lo = Math.max(0, lo);
  const n = Math.max(2, Math.ceil((hi - lo) / p.sampleStepM) + 1);
  let count = 0;
  let sumS = 0;
  let sumZ = 0;
  let minS = Infinity;
  let maxS = -Infinity;
  const ss: number[] = [];
  const zs: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = lo + ((hi - lo) * i) / (n - 1);
    const z = profile(s);
    if (!Number.isFinite(z)) continue;
    ss.push(s);
    zs.push(z);
    count++;
    sumS += s;
    sumZ += z;
    if (s < minS) minS = s;
    if (s > maxS) maxS = s;
  }
  // Need known elevation across at least half the window to call it a grade.
  if (count < 2 || maxS - minS < (hi - lo) / 2) return null;
  const meanS = sumS / count;
  const meanZ = sumZ / count;
  let num = 0;
  let den = 0;
  for (let i = 0; i < count; i++) {
    num += (ss[i] - meanS) * (zs[i] - meanZ);
    den += (ss[i] - meanS) * (ss[i] - meanS);
  }
  if (!(den > 0)) return null;
  const pct = (100 * num) / den;
  // Steeper than any road: the grid is not seeing the road surface (see maxPlausiblePct).
  return Math.abs(pct) > p.maxPlausiblePct ? null : pct;
}

/** iRAP grade bands on the absolute grade: < 7.5 %, 7.5–< 10 %, ≥ 10 % by default. */
export function gradeClassOf(gradePct: number | null, config: ScoreConfig): GradeClass | null {
  if (gradePct === null) return null;
  const g = Math.abs(gradePct);
  const c = config.grade.classes;
  if (g >= c.very_steep.fromPct) return 'very_steep';
  if (g >= c.steep.fromPct) return 'steep';
  return 'gentle';
}
