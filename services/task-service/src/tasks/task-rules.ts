import { RISK_LEVELS, RiskLevel, SegmentRiskChanged } from '@roadloop/contracts';

export const TASK_PRIORITIES = ['p1', 'p2', 'p3'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Hours from creation to the due time, per priority (the service-level agreement). */
export const SLA_HOURS: Record<TaskPriority, number> = { p1: 24, p2: 72, p3: 240 };

/** Countermeasure suggested for the hazard category that contributes most to a segment's risk. */
const COUNTERMEASURE_BY_HAZARD: Record<string, string> = {
  rockfall: 'rockfall_clearing',
  landslide: 'rockfall_clearing',
  missing_guardrail: 'guardrail',
  damaged_guardrail: 'guardrail',
  flooded_road: 'drainage',
  pothole: 'surface_repair',
  sight_obstruction: 'vegetation_clearing',
  missing_sign: 'warning_sign',
  ice: 'warning_sign',
  debris: 'debris_clearing',
  other: 'site_inspection',
};

export interface TaskProposal {
  segmentId: string;
  countermeasure: string;
  priority: TaskPriority;
  reason: string;
}

/**
 * Rule: a segment that rises to `high` or `very_high` gets a task. The countermeasure follows the
 * largest hazard factor; with none (risk from exposure alone) a site inspection is proposed.
 */
export function proposeTask(change: SegmentRiskChanged): TaskProposal | null {
  const rank = (l: RiskLevel | null) => (l === null ? -1 : RISK_LEVELS.indexOf(l));
  if (rank(change.level) < RISK_LEVELS.indexOf('high')) return null;
  if (rank(change.level) <= rank(change.previousLevel)) return null;
  const hazardFactors = change.factors
    .filter((f) => f.factor.startsWith('hazard:'))
    .sort((a, b) => b.value - a.value || a.factor.localeCompare(b.factor));
  const category = hazardFactors[0]?.factor.slice('hazard:'.length);
  const countermeasure = (category && COUNTERMEASURE_BY_HAZARD[category]) ?? 'site_inspection';
  return {
    segmentId: change.segmentId,
    countermeasure,
    priority: change.level === 'very_high' ? 'p1' : 'p2',
    reason: `risk rose to ${change.level} (score ${change.score})${category ? `, mainly ${category}` : ''}`,
  };
}

export function dueAt(priority: TaskPriority, from: Date): Date {
  return new Date(from.getTime() + SLA_HOURS[priority] * 3_600_000);
}
