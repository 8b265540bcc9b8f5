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
