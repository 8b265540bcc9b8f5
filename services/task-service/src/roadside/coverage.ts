/**
 * What a segment side has, from entries that each cover part of it (a crew's findings, an imported
 * survey): present when a guardrail covers at least `minShare` of the side; else damaged when any
 * part was found damaged; else absent. Pure.
 */
import type { InventoryState } from '@roadloop/geo';

export interface CoverEntry {
  fromM: number;
  toM: number;
  status: Exclude<InventoryState, 'unknown'>;
}

export function sideState(entries: readonly CoverEntry[], lengthM: number, minShare: number): { status: Exclude<InventoryState, 'unknown'>; fromM: number; toM: number } {
  const covered = (status: CoverEntry['status']) => entries.filter((e) => e.status === status).reduce((s, e) => s + Math.max(0, e.toM - e.fromM), 0);
  const fromM = Math.min(...entries.map((e) => e.fromM));
  const toM = Math.max(...entries.map((e) => e.toM));
  const status = covered('present') >= minShare * Math.max(lengthM, 1e-9) ? 'present' : covered('damaged') > 0 ? 'damaged' : covered('absent') > 0 ? 'absent' : 'present';
  return { status, fromM, toM };
}

/** Index pairs of entries (of one segment side) whose extents overlap by more than `toleranceM`. */
export function overlapping<T extends { fromM: number; toM: number }>(entries: readonly T[], toleranceM = 0.5): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      if (Math.min(entries[i].toM, entries[j].toM) - Math.max(entries[i].fromM, entries[j].fromM) > toleranceM) out.push([i, j]);
    }
  }
  return out;
}

/**
 * A finding along a stretch (offsets from the stretch's start, side in the stretch's direction)
 * cut into the members it covers, in each member's own offsets and side.
 */
export function onMembers(
  finding: { fromM: number; toM: number; side: 'left' | 'right' },
  members: readonly { segmentId: string; lengthM: number; reversed: boolean }[],
): { segmentId: string; side: 'left' | 'right'; fromM: number; toM: number }[] {
  const out: { segmentId: string; side: 'left' | 'right'; fromM: number; toM: number }[] = [];
  let start = 0;
  for (const m of members) {
    const end = start + m.lengthM;
    const from = Math.max(finding.fromM, start);
    const to = Math.min(finding.toM, end);
    if (to - from > 0.01) {
      const side = m.reversed ? (finding.side === 'left' ? 'right' : 'left') : finding.side;
      const local = m.reversed ? { fromM: end - to, toM: end - from } : { fromM: from - start, toM: to - start };
      out.push({ segmentId: m.segmentId, side, fromM: round(local.fromM), toM: round(local.toM) });
    }
    start = end;
  }
  return out;
}

const round = (x: number) => Math.round(x * 10) / 10;
