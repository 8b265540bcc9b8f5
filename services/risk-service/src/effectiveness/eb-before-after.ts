import { ebExpected, ebWeight, overdispersion } from '@roadloop/geo';
import { predictedCrashes } from '../queries/hotspot-windows';

/**
 * Empirical Bayes before–after evaluation of a countermeasure (Hauer, "Observational Before–After
 * Studies in Road Safety", 1997, ch. 6 and 9; Hauer, Harwood, Council & Griffith, TRR 1784, 2002;
 * HSM Part B, ch. 9):
 *
 *   per site i, before period B_i and after period A_i (years):
 *     P_b = N_i · B_i, P_a = N_i · A_i                  (N_i: the risk model's predicted crashes a year, so r_i = A_i / B_i)
 *     k   = 0.236 / L_i[mi] (HSM Eq. 10-7),  w = 1 / (1 + k · P_b)
 *     EB_b = w · P_b + (1 − w) · K_b                     (K_b: crashes observed before)
 *     π_i = r_i · EB_b                                  (crashes expected after, had nothing been done)
 *     Var(π_i) = r_i² · (1 − w) · EB_b
 *   over the sites, with λ = Σ K_a (crashes observed after), π = Σ π_i, Var(π) = Σ Var(π_i):
 *     θ = (λ / π) / (1 + Var(π) / π²)                   (unbiased odds ratio)
 *     Var(θ) = θ² · (1/λ + Var(π)/π²) / (1 + Var(π)/π²)²   (Var(λ) = λ, Poisson)
 *     effectiveness = 100 · (1 − θ) %, 95 % interval θ ± 1.96 · √Var(θ)
 *
 * Pure: the same sites always give the same estimate.
 */
export interface SiteObservation {
  lengthM: number;
  /** The risk model's predicted crashes per km-year of the site as built before the treatment (SPF × CMFs). */
  predictedPerKmYear: number;
  beforeYears: number;
  afterYears: number;
  beforeCrashes: number;
  afterCrashes: number;
}

export interface SiteEstimate {
  predictedBefore: number;
  weight: number;
  /** EB expected crashes in the before period. */
  ebBefore: number;
  /** π_i: crashes expected in the after period without the treatment. */
  expectedAfter: number;
  varianceExpectedAfter: number;
}

export type Verdict = 'effective' | 'no_evidence' | 'harmful' | 'insufficient_data';

export interface BeforeAfterEstimate {
  sites: number;
  beforeCrashes: number;
  afterCrashes: number;
  /** Site-years summed over the sites. */
  beforeYears: number;
  afterYears: number;
  /** π; null without sites. */
  expectedAfterWithoutTreatment: number | null;
  oddsRatio: number | null;
  oddsRatioStdErr: number | null;
  ci95: [number, number] | null;
  effectivenessPct: number | null;
  verdict: Verdict;
  note: string;
}

export const EB_BEFORE_AFTER = {
  /** Fewer sites than this say nothing about a countermeasure in general. */
  minSites: 3,
  /** Crashes expected in the after period without treatment (π): below this no change can be seen. */
  minExpectedAfter: 2,
  /** Sites verified less than this long ago are left out, in days. */
  minAfterDays: 30,
  /** The after period is at most this long (the before period is as long), in years. */
  maxAfterYears: 3,
  /** Two-sided 95 % normal quantile. */
  z95: 1.959964,
} as const;

export function siteEstimate(s: SiteObservation): SiteEstimate {
  const predictedBefore = predictedCrashes(s.predictedPerKmYear, s.lengthM, s.beforeYears);
  const predictedAfter = predictedCrashes(s.predictedPerKmYear, s.lengthM, s.afterYears);
  const weight = ebWeight(overdispersion(s.lengthM), predictedBefore);
  const ebBefore = ebExpected(predictedBefore, s.beforeCrashes, weight);
  const r = predictedBefore > 0 ? predictedAfter / predictedBefore : 0;
  return { predictedBefore, weight, ebBefore, expectedAfter: r * ebBefore, varianceExpectedAfter: r * r * (1 - weight) * ebBefore };
}

export function beforeAfter(sites: readonly SiteObservation[], options: typeof EB_BEFORE_AFTER = EB_BEFORE_AFTER): BeforeAfterEstimate {
  const estimates = sites.map(siteEstimate);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const lambda = sum(sites.map((s) => s.afterCrashes));
  const pi = sum(estimates.map((e) => e.expectedAfter));
  const varPi = sum(estimates.map((e) => e.varianceExpectedAfter));
  const base = {
    sites: sites.length,
    beforeCrashes: sum(sites.map((s) => s.beforeCrashes)),
    afterCrashes: lambda,
    beforeYears: round(sum(sites.map((s) => s.beforeYears))),
    afterYears: round(sum(sites.map((s) => s.afterYears))),
    expectedAfterWithoutTreatment: sites.length ? round(pi) : null,
  };
  const insufficient = (note: string): BeforeAfterEstimate => ({
    ...base, oddsRatio: null, oddsRatioStdErr: null, ci95: null, effectivenessPct: null, verdict: 'insufficient_data', note,
  });
  if (sites.length < options.minSites) {
    return insufficient(`Only ${sites.length} verified site(s) with at least ${options.minAfterDays} days since verification; at least ${options.minSites} are needed to say whether this countermeasure works.`);
  }
  if (pi < options.minExpectedAfter) {
    return insufficient(`These sites had too few crashes before the fix: about ${round(pi, 2)} crash(es) would be expected afterwards without it, and at least ${options.minExpectedAfter} are needed to see a change.`);
  }
  if (lambda === 0) {
    return insufficient(`No crash has happened at these sites since the fixes (about ${round(pi, 2)} were expected without them): promising, but the uncertainty cannot be estimated until the after period is longer or crashes are recorded.`);
  }
  const c = varPi / (pi * pi);
  const theta = lambda / pi / (1 + c);
  const stdErr = Math.sqrt((theta * theta * (1 / lambda + c)) / ((1 + c) * (1 + c)));
  const lo = Math.max(0, theta - options.z95 * stdErr);
  const hi = theta + options.z95 * stdErr;
  const verdict: Verdict = hi < 1 ? 'effective' : lo > 1 ? 'harmful' : 'no_evidence';
  const pct = round((1 - theta) * 100, 2);
  const notes: Record<Exclude<Verdict, 'insufficient_data'>, string> = {
    effective: `Crashes fell by about ${pct} % compared with what these sites would have had without the fix (95 % interval excludes no change).`,
    harmful: `Crashes rose by about ${round(-pct, 2)} % compared with what these sites would have had without the fix (95 % interval excludes no change).`,
    no_evidence: `The estimated change is ${pct >= 0 ? `a ${pct} % fall` : `a ${round(-pct, 2)} % rise`} in crashes, but the 95 % interval includes no change: not yet evidence either way.`,
  };
  return {
    ...base,
    oddsRatio: round(theta),
    oddsRatioStdErr: round(stdErr),
    ci95: [round(lo), round(hi)],
    effectivenessPct: pct,
    verdict,
    note: notes[verdict],
  };
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
