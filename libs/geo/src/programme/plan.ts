/**
 * From segments to a programme: each segment's needs (its roadside by the mandatory-protection rule
 * and what stands there; its curve; its grade) grouped into stretches, each stretch paired with the
 * catalogue's countermeasures for its need, appraised (FSI prevented over the service life, its
 * value, benefit–cost ratio), and the budget spent by the MILP solver. Pure apart from the solver.
 */
import type { LonLat } from '../geometry/ruler';
import { assessRisk, roadAttributesFrom, type Guarded } from '../risk-model';
import { COUNTERMEASURE_CATALOGUE, PROGRAMME_ECONOMICS, costPerFsi, presentWorthFactor, type CatalogueEntry, type NeedKind, type ProgrammeEconomics } from './catalogue';
import { DEFAULT_PROTECTION, alignmentNeeds, inventoryFromMap, protectionAction, protectionNeeds, type InventoryState, type ProtectionThresholds, type RoadSide, type RoadsideFacts } from './needs';
import { Choice, Selection, SolvedSelection, greedySelection, inOrderUntilSpent, solveSelection } from './solve';
import { DEFAULT_STRETCH_OPTIONS, buildStretches, type Stretch, type StretchOptions, type StretchPiece } from './stretches';

export interface ProgrammeSegment {
  segmentId: string;
  roadKey: string;
  roadClass: string;
  lengthM: number;
  coordinates: readonly LonLat[];
  /** The engine's attributes (as stored with the segment). */
  attributes: Record<string, unknown> & RoadsideFacts;
  /** Live expected FSI a year, when known (else the design's, from the attributes alone). */
  fsiPerYear?: number;
  /** Open or recent rockfall on the segment. */
  rockfall?: boolean;
}

export interface PlanOptions {
  budget: number;
  year: number;
  /** What an unknown guardrail inventory counts as: a survey first (default), or absent (a what-if). */
  unknownAs: 'survey' | 'absent';
  /** Surveyed or imported states, by `segmentId:side`. */
  inventory?: ReadonlyMap<string, InventoryState>;
  protection?: ProtectionThresholds;
  stretches?: StretchOptions;
  economics?: ProgrammeEconomics;
  catalogue?: readonly CatalogueEntry[];
  now?: Date;
}

export interface ProgrammeCandidate extends Choice {
  stretch: Stretch;
  countermeasure: CatalogueEntry['countermeasure'];
  treats: NeedKind;
  serviceLifeYears: number;
  fsiPerYear: number;
  fsiPreventedPerYear: number;
  /** Discounted value of the FSI prevented over the service life. */
  benefit: number;
  source: string;
}

export interface Programme {
  year: number;
  budget: number;
  currency: string;
  costPerFsi: number;
  unknownAs: PlanOptions['unknownAs'];
  candidates: ProgrammeCandidate[];
  chosen: ProgrammeCandidate[];
  optimum: SolvedSelection;
  greedy: Selection;
  /** Guardrails on mandatory-protection segment sides in id order until the money runs out. */
  naive: Selection;
  /** Sides that need protection but whose inventory is unknown: to survey before works. */
  toSurvey: Stretch[];
}

interface SegmentAppraisal {
  fsiPerYear: number;
  /** FSI a year prevented by a guardrail on one side. */
  guardrailPrevents: Record<RoadSide, number>;
}

function appraise(s: ProgrammeSegment, now: Date): SegmentAppraisal {
  const road = roadAttributesFrom(s.roadClass, s.lengthM, s.attributes);
  const fsi = (guarded: Guarded) => assessRisk({ road, guarded, crashes: [], hazards: [], now }).fsiPerYear;
  const design = fsi({ left: false, right: false });
  // Live risk (crash history, hazards) scales the design's: a guardrail removes the same share of it.
  const scale = s.fsiPerYear !== undefined && design > 0 ? s.fsiPerYear / design : 1;
  return {
    fsiPerYear: s.fsiPerYear ?? design,
    guardrailPrevents: {
      left: Math.max(0, design - fsi({ left: true, right: false })) * scale,
      right: Math.max(0, design - fsi({ left: false, right: true })) * scale,
    },
  };
}

const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export async function planProgramme(segments: readonly ProgrammeSegment[], options: PlanOptions): Promise<Programme> {
  const protection = options.protection ?? DEFAULT_PROTECTION;
  const economics = options.economics ?? PROGRAMME_ECONOMICS;
  const catalogue = options.catalogue ?? COUNTERMEASURE_CATALOGUE;
  const now = options.now ?? new Date(Date.UTC(options.year, 0, 1));
  const valuePerFsi = costPerFsi(economics);
  const guardrail = catalogue.find((c) => c.countermeasure === 'guardrail' && c.treats === 'roadside');

  const bySegment = new Map<string, { segment: ProgrammeSegment; appraisal: SegmentAppraisal }>();
  const works: StretchPiece[] = [];
  const surveys: StretchPiece[] = [];
  const naive: Choice[] = [];
  for (const segment of [...segments].sort((a, b) => natural(a.segmentId, b.segmentId))) {
    const appraisal = appraise(segment, now);
    bySegment.set(segment.segmentId, { segment, appraisal });
    const base = { segmentId: segment.segmentId, roadKey: segment.roadKey, lengthM: segment.lengthM, coordinates: segment.coordinates };
    for (const need of protectionNeeds(segment.attributes, protection)) {
      const state = options.inventory?.get(`${segment.segmentId}:${need.side}`) ?? inventoryFromMap(segment.attributes, need.side, protection);
      let action = protectionAction(state);
      if (action === 'survey' && options.unknownAs === 'absent') action = 'works';
      // A survey looks at both sides of its stretch (the crew records each side), so the sides join.
      if (action === 'survey' && surveys[surveys.length - 1]?.segmentId !== segment.segmentId) surveys.push({ ...base, need: 'survey', side: 'both' });
      if (action !== 'works') continue;
      works.push({ ...base, need: 'roadside', side: need.side });
      if (guardrail) {
        const fsi = appraisal.guardrailPrevents[need.side] * guardrail.serviceLifeYears;
        const cost = (segment.lengthM / 1000) * guardrail.unitCost;
        naive.push({ id: `${segment.segmentId}:${need.side}`, group: `${segment.segmentId}:${need.side}`, cost, fsiPrevented: fsi, bcr: cost > 0 ? fsi / cost : 0 });
      }
    }
    for (const kind of alignmentNeeds(segment.attributes)) works.push({ ...base, need: kind, side: 'both' });
    if (segment.rockfall) works.push({ ...base, need: 'rockfall', side: 'both' });
  }

  const stretchOptions = options.stretches ?? DEFAULT_STRETCH_OPTIONS;
  const candidates: ProgrammeCandidate[] = [];
  for (const stretch of buildStretches(works, stretchOptions)) {
    const members = stretch.members.map((m) => ({ ...m, ...bySegment.get(m.segmentId)! }));
    const fsiPerYear = members.reduce((s, m) => s + m.appraisal.fsiPerYear, 0);
    for (const entry of catalogue.filter((c) => c.treats === stretch.need)) {
      const prevented = members.reduce(
        (s, m) => s + (entry.cmf === null ? (m.side === 'both' ? 0 : m.appraisal.guardrailPrevents[m.side]) : m.appraisal.fsiPerYear * (1 - entry.cmf)),
        0,
      );
      const cost = entry.unit === 'km' ? (stretch.lengthM / 1000) * entry.unitCost : entry.unitCost * (entry.eachPerM ? Math.ceil(stretch.lengthM / entry.eachPerM) : 1);
      const benefit = prevented * presentWorthFactor(entry.serviceLifeYears, economics.discountRate) * valuePerFsi;
      candidates.push({
        id: `${stretch.id}|${entry.countermeasure}`,
        group: stretch.id,
        cost: Math.round(cost),
        fsiPrevented: prevented * entry.serviceLifeYears,
        bcr: cost > 0 ? benefit / cost : 0,
        stretch,
        countermeasure: entry.countermeasure,
        treats: entry.treats,
        serviceLifeYears: entry.serviceLifeYears,
        fsiPerYear,
        fsiPreventedPerYear: prevented,
        benefit,
        source: entry.source,
      });
    }
  }
  const optimum = await solveSelection(candidates, options.budget);
  const chosenIds = new Set(optimum.ids);
  return {
    year: options.year,
    budget: options.budget,
    currency: economics.currency,
    costPerFsi: valuePerFsi,
    unknownAs: options.unknownAs,
    candidates,
    chosen: candidates.filter((c) => chosenIds.has(c.id)).sort((a, b) => b.bcr - a.bcr),
    optimum,
    greedy: greedySelection(candidates, options.budget),
    naive: inOrderUntilSpent(naive, options.budget),
    toSurvey: buildStretches(surveys, stretchOptions),
  };
}

/** A scored segment (a feature of `roadloop-geo score`'s output) as the programme reads it; null when it is not one. */
export function programmeSegmentOf(f: { geometry?: { type?: string; coordinates?: unknown } | null; properties?: Record<string, unknown> | null }): ProgrammeSegment | null {
  const p = f.properties ?? {};
  if (f.geometry?.type !== 'LineString' || typeof p.id !== 'string' || typeof p.roadClass !== 'string' || typeof p.lengthM !== 'number') return null;
  const roadKey = (typeof p.ref === 'string' && p.ref) || (typeof p.name === 'string' && p.name) || `w${String(p.osmWayId ?? p.id)}`;
  return {
    segmentId: p.id,
    roadKey,
    roadClass: p.roadClass,
    lengthM: p.lengthM,
    coordinates: f.geometry.coordinates as LonLat[],
    attributes: p as ProgrammeSegment['attributes'],
  };
}
