/** Red / yellow / green of an area, as in the daily "safety report" of the Lishui model. */
export type StatusColour = 'red' | 'yellow' | 'green';

export interface WorkloadCounts {
  open: number;
  overdue: number;
  overdueP1: number;
  /** Open, work still owed, due within the at-risk horizon and not yet overdue. */
  dueSoon: number;
}

/**
 * red: a p1 task is overdue, or at least `redOverdueCount` tasks are overdue;
 * yellow: any task is overdue, or one is due within the at-risk horizon;
 * green: otherwise.
 */
export function statusColour(c: WorkloadCounts, redOverdueCount: number): StatusColour {
  if (c.overdueP1 > 0 || c.overdue >= redOverdueCount) return 'red';
  if (c.overdue > 0 || c.dueSoon > 0) return 'yellow';
  return 'green';
}

/** Why an area has its colour, in the words of the morning report (empty when green and nothing is open). */
export function statusReasons(c: WorkloadCounts, redOverdueCount: number, atRiskHours: number): string[] {
  const reasons: string[] = [];
  const tasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;
  if (c.overdueP1 > 0) reasons.push(`${tasks(c.overdueP1)} of priority p1 overdue`);
  if (c.overdue > 0) reasons.push(`${tasks(c.overdue)} overdue${c.overdue >= redOverdueCount ? ` (red from ${redOverdueCount})` : ''}`);
  if (c.dueSoon > 0) reasons.push(`${tasks(c.dueSoon)} due within ${atRiskHours} h`);
  if (!reasons.length) reasons.push(c.open ? `${tasks(c.open)} open, none overdue or due soon` : 'no open tasks');
  return reasons;
}
