/**
 * Roadside severity of one side of a segment. At each station only the worst roadside object
 * counts (water, drop-off, or a mapped cliff below the road), as iRAP codes the most severe object
 * (iRAP Star Rating Coding Manual); a guardrail there, or a bridge's parapet, takes
 * `guardrail.effectiveness` of it away. The station values are averaged, so 20 m of river beside a
 * 100 m segment counts a fifth.
 */
import { dropSeverity } from '../attributes/drop.attribute';
import type { SideSeverity } from './exposure-score';
import type { ScoreConfig } from './score.config';

/** What lies beside the road on one side, station by station (all arrays one entry per station). */
export interface SideStations {
  /** Water severity points. */
  readonly water: Float64Array;
  /** Fall from the road to the terrain, m; NaN where unknown (scored as no drop). */
  readonly dropM: Float64Array;
  /** Mapped-cliff severity points; null when not assessed (in a tunnel). */
  readonly cliff: Float64Array | null;
  /** 1 where a mapped guardrail protects the station. */
  readonly guarded: Uint8Array;
}

export interface SideContext {
  /** Inside a tunnel nothing is beside the road. */
  readonly tunnel: boolean;
  /** A bridge's parapet protects every station, like a guardrail. */
  readonly parapet: boolean;
}

export function sideSeverity(side: SideStations, at: SideContext, config: Pick<ScoreConfig, 'drop' | 'guardrail'>): SideSeverity {
  const { water, dropM, cliff, guarded } = side;
  const { minDropM, fullDropM, severity } = config.drop;
  const n = water.length;
  let sw = 0;
  let sd = 0;
  let sc = 0;
  let sg = 0;
  for (let k = 0; k < n; k++) {
    const pw = at.tunnel ? 0 : water[k];
    const pd = Number.isNaN(dropM[k]) ? 0 : dropSeverity(dropM[k], minDropM, fullDropM, severity);
    const pc = cliff ? cliff[k] : 0;
    const worst = Math.max(pw, pd, pc);
    if (worst <= 0) continue;
    if (pc === worst) sc += worst;
    else if (pd === worst) sd += worst;
    else sw += worst;
    if (guarded[k] || at.parapet) sg -= worst * config.guardrail.effectiveness;
  }
  return { water: sw / n, dropOff: sd / n, cliff: sc / n, guardrail: sg / n };
}
