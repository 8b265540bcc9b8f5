import {
  AccidentMatched,
  Countermeasure,
  HazardMatched,
  RISK_LEVELS,
  RiskLevel,
  SegmentRiskChangedV2,
  countermeasureFor,
} from '@roadloop/contracts';

export const TASK_PRIORITIES = ['p1', 'p2', 'p3'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export type TaskSide = 'left' | 'right' | 'both';

/** Which rule opened a task. */
export const TASK_RULES = ['risk_level', 'severe_hazard', 'mandatory_protection', 'fatal_crash', 'programme'] as const;
export type TaskRule = (typeof TASK_RULES)[number];

/** Hours from creation to the due time, per priority (the service-level agreement). */
export type SlaHours = Record<TaskPriority, number>;
export const DEFAULT_SLA_HOURS: SlaHours = { p1: 24, p2: 72, p3: 240 };


export interface TaskProposal {
  segmentId: string;
  countermeasure: Countermeasure;
  side: TaskSide | null;
  priority: TaskPriority;
  reason: string;
  rule: TaskRule;
  hazardIds: string[];
  /** Hours to the due time when the rule has its own SLA (else the priority's). */
  slaHours?: number;
}

const rank = (l: RiskLevel | null) => (l === null ? -1 : RISK_LEVELS.indexOf(l));

/**
 * Rule: a segment that rises to `minLevel` or above (default the top level, very_high) gets a task.
 * The countermeasure follows the open hazard that raises the risk most (the factor's typed
 * `hazardCategory`); with none (risk from traffic, design or crashes) a site inspection is proposed.
 */
export function proposeFromRisk(change: SegmentRiskChangedV2, minLevel: RiskLevel = 'very_high'): TaskProposal | null {
  if (rank(change.level) < rank(minLevel)) return null;
  if (rank(change.level) <= rank(change.previousLevel)) return null;
  const [main] = change.factors
    .filter((f) => f.hazardCategory !== undefined)
    .sort((a, b) => b.value - a.value || a.hazardCategory!.localeCompare(b.hazardCategory!));
  const category = main?.hazardCategory;
  return {
    segmentId: change.segmentId,
    countermeasure: category ? countermeasureFor(category) : 'site_inspection',
    side: null,
    priority: change.level === 'very_high' ? 'p1' : 'p2',
    reason: `risk rose to ${change.level} (${change.score} expected fatal and serious crashes per km per year)${category ? `, mainly ${category.replace(/_/g, ' ')}` : ''}`,
    rule: 'risk_level',
    hazardIds: [],
  };
}

/**
 * Rule: every fatal crash opens an investigation of the road where it happened, whatever the
 * segment's risk level (一案三查: each fatal crash is followed by an investigation of the road as well
 * as of the driver and the vehicle), due within its own SLA.
 */
export function proposeFromFatalCrash(crash: AccidentMatched, slaHours: number): TaskProposal | null {
  if (crash.deaths <= 0) return null;
  return {
    segmentId: crash.segmentId,
    countermeasure: 'site_investigation',
    side: null,
    priority: 'p1',
    reason: `fatal crash (${crash.deaths} death${crash.deaths === 1 ? '' : 's'}) on ${crash.occurredAt.slice(0, 10)}: investigate the road`,
    rule: 'fatal_crash',
    hazardIds: [],
    slaHours,
  };
}

/** Rule: a high or critical hazard gets a task of its category's countermeasure (critical p1, high p2). */
export function proposeFromHazard(hazard: HazardMatched): TaskProposal | null {
  if (hazard.severity !== 'high' && hazard.severity !== 'critical') return null;
  return {
    segmentId: hazard.segmentId,
    countermeasure: countermeasureFor(hazard.category),
    side: null,
    priority: hazard.severity === 'critical' ? 'p1' : 'p2',
    reason: `${hazard.severity} ${hazard.category.replace(/_/g, ' ')} reported`,
    rule: 'severe_hazard',
    hazardIds: [hazard.hazardId],
  };
}

export function dueAt(priority: TaskPriority, from: Date, sla: SlaHours = DEFAULT_SLA_HOURS, ownSlaHours?: number): Date {
  return new Date(from.getTime() + (ownSlaHours ?? sla[priority]) * 3_600_000);
}

/** Whether something that happened at `at` falls in the reopen window after a verification. */
export function withinReopenWindow(verifiedAt: Date, at: Date, windowDays: number): boolean {
  const elapsed = at.getTime() - verifiedAt.getTime();
  return elapsed >= 0 && elapsed <= windowDays * 86_400_000;
}

/** A fix that did not hold is more urgent the second time: one step up, p1 stays p1. */
export function raisePriority(priority: TaskPriority): TaskPriority {
  return priority === 'p3' ? 'p2' : 'p1';
}
