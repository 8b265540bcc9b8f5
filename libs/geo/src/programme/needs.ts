/**
 * What a segment needs, side by side, from its attributes and its roadside inventory. The roadside
 * need is the mandatory-protection rule (公路交通安全设施设计细则: a guardrail MUST stand beside
 * rivers, lakes, reservoirs and the sea, SHOULD beside cliffs and deep drops) on the classes it covers.
 * What stands there decides what to do: present — nothing; absent or damaged — works; unknown —
 * a survey first (OpenStreetMap maps few guardrails, so "none mapped" is not "none").
 */
import type { NeedKind } from './catalogue';
import { GUARDRAIL_MUST_WATER_MAX_M } from '../water-side';

export type RoadSide = 'left' | 'right';
/** What a side has, as far as anyone knows. */
export const INVENTORY_STATES = ['present', 'absent', 'damaged', 'unknown'] as const;
export type InventoryState = (typeof INVENTORY_STATES)[number];

export interface ProtectionThresholds {
  roadClasses: readonly string[];
  /** Water within this distance (metres) of the centre line makes its side need a guardrail (MUST); not "water-side". */
  guardrailWaterMaxM: number;
  /** A drop of at least this (metres) makes its side need a guardrail. */
  cliffDropM: number;
  /** A side counts as protected when at least this share of it has a mapped guardrail (0–1). */
  minGuardrailShare: number;
}

export const DEFAULT_PROTECTION: ProtectionThresholds = {
  roadClasses: ['motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link', 'tertiary', 'tertiary_link'],
  guardrailWaterMaxM: GUARDRAIL_MUST_WATER_MAX_M,
  cliffDropM: 8,
  minGuardrailShare: 0.5,
};

/** The attributes the rule reads (a segment profile or the engine's properties). */
export interface RoadsideFacts {
  roadClass: string;
  waterDistanceM: number | null;
  waterSide: 'left' | 'right' | 'both' | 'crossing' | null;
  cliffSide: 'left' | 'right' | 'both' | null;
  dropLeftM: number | null;
  dropRightM: number | null;
  guardrail: { left: number; right: number };
}

export interface SideNeed {
  side: RoadSide;
  /** Water within the rule's distance: MUST (priority above cliff-side, which is SHOULD). */
  water: boolean;
  cliff: boolean;
  drop: number | null;
  why: string;
}

/** The sides that need protection by the rule (whatever stands there). */
export function protectionNeeds(f: RoadsideFacts, t: ProtectionThresholds = DEFAULT_PROTECTION): SideNeed[] {
  if (!t.roadClasses.includes(f.roadClass)) return [];
  const waterNear = f.waterDistanceM !== null && f.waterDistanceM <= t.guardrailWaterMaxM;
  const out: SideNeed[] = [];
  for (const side of ['left', 'right'] as const) {
    const water = waterNear && [side, 'both', 'crossing'].includes(f.waterSide ?? '');
    const drop = side === 'left' ? f.dropLeftM : f.dropRightM;
    const cliff = f.cliffSide === side || f.cliffSide === 'both' || (drop ?? 0) >= t.cliffDropM;
    if (!water && !cliff) continue;
    const why: string[] = [];
    if (water) why.push(`water ${f.waterDistanceM} m away (guardrail must be set)`);
    if (cliff) why.push(`drop-off${drop ? ` of ${drop} m` : ''} (guardrail should be set)`);
    out.push({ side, water, cliff, drop, why: why.join('; ') });
  }
  return out;
}

/** The inventory a side has from OpenStreetMap alone: a mapped guardrail is present; none mapped is unknown. */
export function inventoryFromMap(f: Pick<RoadsideFacts, 'guardrail'>, side: RoadSide, t: ProtectionThresholds = DEFAULT_PROTECTION): InventoryState {
  return f.guardrail[side] >= t.minGuardrailShare ? 'present' : 'unknown';
}

/** What a side that needs protection calls for, given what stands there. */
export function protectionAction(state: InventoryState): 'none' | 'survey' | 'works' {
  return state === 'present' ? 'none' : state === 'unknown' ? 'survey' : 'works';
}

/** Curve and grade needs (both sides): sharp or very sharp curves, steep or very steep grades. */
export function alignmentNeeds(f: Record<string, unknown>): NeedKind[] {
  const out: NeedKind[] = [];
  if (f.curvatureClass === 'sharp' || f.curvatureClass === 'very_sharp') out.push('curve');
  if (f.gradeClass === 'steep' || f.gradeClass === 'very_steep') out.push('grade');
  return out;
}
