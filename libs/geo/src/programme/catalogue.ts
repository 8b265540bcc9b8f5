/**
 * The countermeasure catalogue of the investment programme (iRAP Safer Roads Investment Plans; HSM
 * Part B economic appraisal): what each treats, what it costs, how long it lasts and how much it
 * cuts fatal-and-serious crashes. Costs are in the currency of `PROGRAMME_ECONOMICS` (CNY) and are
 * Roadloop defaults for a Chinese mountain county — calibrate them against local contract prices.
 * Every CMF names its source; "(check)" marks a value not confirmed from the original study.
 */
import type { Countermeasure } from '@roadloop/contracts';

/** What a stretch needs: an unprotected severe roadside, a sharp curve, a steep grade, rockfall. */
export const NEED_KINDS = ['roadside', 'curve', 'grade', 'rockfall'] as const;
export type NeedKind = (typeof NEED_KINDS)[number];

export interface CatalogueEntry {
  countermeasure: Countermeasure;
  treats: NeedKind;
  /** `km`: the cost scales with the stretch's length; `each`: a fixed cost per stretch (a sign pair…). */
  unit: 'km' | 'each';
  unitCost: number;
  /** For `each`: one unit per this many metres of the stretch, started (a sign pair per curve); absent: one per stretch. */
  eachPerM?: number;
  serviceLifeYears: number;
  /**
   * Crash modification factor on the stretch's expected fatal-and-serious crashes; null: the risk
   * model itself computes the effect (a guardrail changes the roadside hazard rating and severity).
   */
  cmf: number | null;
  source: string;
}

export const COUNTERMEASURE_CATALOGUE: readonly CatalogueEntry[] = [
  {
    countermeasure: 'guardrail',
    treats: 'roadside',
    unit: 'km',
    unitCost: 450_000,
    serviceLifeYears: 20,
    cmf: null,
    source:
      'risk model: roadside hazard rating 7/6 → 5 behind a barrier (HSM Eq. 10-14) and its severity share; cf. Elvik et al., ' +
      'The Handbook of Road Safety Measures (2009), guard rails along embankments: about −45 % of fatal and injury run-off-road crashes (check). ' +
      'Cost: W-beam installed, 300–600 CNY/m (Roadloop default — calibrate)',
  },
  {
    countermeasure: 'delineators',
    treats: 'curve',
    unit: 'km',
    unitCost: 40_000,
    serviceLifeYears: 7,
    cmf: 0.85,
    source:
      'chevron alignment signs and post delineators on horizontal curves: FHWA CMF Clearinghouse, Srinivasan et al., FHWA-HRT-09-045 (2009), ' +
      'fatal-and-injury CMF about 0.84 (check). Cost: Roadloop default — calibrate',
  },
  {
    countermeasure: 'warning_sign',
    treats: 'curve',
    unit: 'each',
    unitCost: 8_000,
    eachPerM: 300,
    serviceLifeYears: 10,
    cmf: 0.9,
    source: 'curve advance warning signs, a pair per 300 m of sharp curves: iRAP countermeasure "curve delineation / signing" (check); Roadloop default — calibrate',
  },
  {
    countermeasure: 'surface_repair',
    treats: 'curve',
    unit: 'km',
    unitCost: 1_200_000,
    serviceLifeYears: 10,
    cmf: 0.76,
    source:
      'high-friction surfacing on curves (resurfacing): FHWA CMF Clearinghouse, Merritt, Lyon & Persaud, FHWA-SA-15-xxx HFST evaluation (2015), ' +
      'CMF about 0.76 for fatal-and-injury crashes (check). Cost: Roadloop default — calibrate',
  },
  {
    countermeasure: 'warning_sign',
    treats: 'grade',
    unit: 'each',
    unitCost: 8_000,
    eachPerM: 1000,
    serviceLifeYears: 10,
    cmf: 0.95,
    source: 'steep-descent warning signs, a pair per km of steep grade: Roadloop default — calibrate (no star-rated study found)',
  },
  {
    countermeasure: 'rockfall_netting',
    treats: 'rockfall',
    unit: 'km',
    unitCost: 1_500_000,
    serviceLifeYears: 25,
    cmf: 0.7,
    source: 'draped mesh against rockfall where rockfall was reported: Roadloop default — calibrate (no star-rated study found)',
  },
];

/**
 * The value of preventing one fatal-or-serious crash. iRAP's rule of thumb where no local study
 * exists (McMahon & Dahdah, The True Cost of Road Crashes, iRAP 2008): a death costs 70 × GDP per
 * capita, a serious injury 25 % of that. An FSI crash is fatal in 1.3 / 6.7 of cases (HSM Table
 * 10-3), so it costs (0.194 × 70 + 0.806 × 17.5) × GDP per capita ≈ 27.7 × GDP per capita — one
 * casualty per crash, a simplification. China's GDP per capita was about 89,000 CNY in 2023
 * (Zhejiang's about 125,000): about 2.46 million CNY per FSI crash.
 */
export interface ProgrammeEconomics {
  currency: string;
  gdpPerCapita: number;
  fatalityGdpMultiple: number;
  seriousInjuryShareOfFatality: number;
  fatalShareOfFsi: number;
  /** Discount rate of future benefits, a year (Roadloop default — calibrate; HSM Part B discounts too). */
  discountRate: number;
}

export const PROGRAMME_ECONOMICS: ProgrammeEconomics = {
  currency: 'CNY',
  gdpPerCapita: 89_000,
  fatalityGdpMultiple: 70,
  seriousInjuryShareOfFatality: 0.25,
  fatalShareOfFsi: 1.3 / 6.7,
  discountRate: 0.04,
};

export function costPerFsi(e: ProgrammeEconomics = PROGRAMME_ECONOMICS): number {
  const fatal = e.fatalityGdpMultiple * e.gdpPerCapita;
  return e.fatalShareOfFsi * fatal + (1 - e.fatalShareOfFsi) * e.seriousInjuryShareOfFatality * fatal;
}

/** Present value of 1 a year over `years` at `rate` (HSM Part B: uniform series present worth). */
export function presentWorthFactor(years: number, rate: number): number {
  return rate === 0 ? years : (1 - (1 + rate) ** -years) / rate;
}
