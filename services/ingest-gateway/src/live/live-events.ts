import { Principal, seesTaskOf } from '@roadloop/auth';
import { SegmentRiskChangedV2, TaskChanged } from '@roadloop/contracts';

/** What a map needs to recolour a segment, without the factors and causes of the full event. */
export interface RiskEvent {
  segmentId: string;
  level: SegmentRiskChangedV2['level'];
  previousLevel: SegmentRiskChangedV2['previousLevel'];
  /** Expected fatal and serious crashes per km per year. */
  score: number;
  alarm: SegmentRiskChangedV2['alarm'];
  revision: number;
}

/** What a map needs to move a task's symbol or refresh a panel. */
export interface TaskEvent {
  taskId: string;
  segmentId: string;
  status: TaskChanged['status'];
  crewId: string | null;
  version: number;
}

export type LiveEvent =
  | { type: 'risk'; data: RiskEvent }
  | { type: 'task'; data: TaskEvent }
  | { type: 'status'; data: { live: boolean } }
  | { type: 'expired'; data: { reason: string } };

/** Whether a caller sees a live event: the same read policy as the task lists (a crew, its own crew's tasks). */
export function liveEventVisibleTo(principal: Principal, event: LiveEvent): boolean {
  return event.type !== 'task' || seesTaskOf(principal, event.data.crewId);
}

export const riskEvent = (p: SegmentRiskChangedV2): LiveEvent => ({
  type: 'risk',
  data: { segmentId: p.segmentId, level: p.level, previousLevel: p.previousLevel, score: p.score, alarm: p.alarm, revision: p.revision },
});

export const taskEvent = (p: TaskChanged): LiveEvent => ({
  type: 'task',
  data: { taskId: p.taskId, segmentId: p.segmentId, status: p.status, crewId: p.crewId, version: p.version },
});

/**
 * One Server-Sent Events frame (WHATWG HTML, "Server-sent events"): the event's name and its JSON
 * on one `data:` line (JSON.stringify never emits a raw newline).
 */
export function sseFrame(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** A comment line: ignored by EventSource, keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';
