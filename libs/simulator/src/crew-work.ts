import { createHash } from 'node:crypto';
import { GatewayClient, GatewayError } from './gateway-client';
import { Random } from './random';

/** The fields of a task the simulated crews and inspectors need (from `GET /v1/tasks`). */
export interface TaskSummary {
  id: string;
  segmentId: string;
  status: string;
  crewId: string | null;
  version: number;
  priority?: string;
}

interface SegmentDetail {
  geometry?: { coordinates: [number, number][] };
}

export type CrewStep = 'accept' | 'start' | 'submit' | 'verify' | 'reject';

/** The next thing a crew or an inspector does with a task in this state, if anything. */
export function nextStep(status: string, random: Random, rejectShare: number): CrewStep | null {
  switch (status) {
    case 'assigned':
      return 'accept';
    case 'accepted':
    case 'rejected':
    case 'reopened':
      return 'start';
    case 'in_progress':
      return 'submit';
    case 'submitted':
      return random.chance(rejectShare) ? 'reject' : 'verify';
    default:
      return null;
  }
}

/** Evidence as a crew's phone sends it: photos with their digests and a GPS fix on the road. */
export function evidenceAt(position: [number, number], taskId: string, now: Date, random: Random) {
  const photo = (n: number) => {
    const url = `https://photos.roadloop.example/${taskId}/${n}.jpg`;
    return { url, sha256: createHash('sha256').update(url).digest('hex') };
  };
  return {
    photos: [photo(1), photo(2)],
    position: { lon: position[0], lat: position[1], accuracyM: random.int(3, 12) },
    capturedAt: now.toISOString(),
    notes: 'Work done as specified; photos before and after.',
  };
}

/** Takes one task one step further, as its crew or an inspector would. Returns the step taken and the task after it. */
export async function advanceTask(
  client: GatewayClient,
  task: TaskSummary,
  random: Random,
  rejectShare = 0.15,
): Promise<{ step: CrewStep; task: TaskSummary } | null> {
  const step = nextStep(task.status, random, rejectShare);
  if (!step || (step !== 'verify' && step !== 'reject' && !task.crewId)) return null;
  const path = `/v1/tasks/${task.id}/${step}`;
  const expectedVersion = task.version;
  try {
    let after: TaskSummary;
    if (step === 'verify') {
      after = await client.request('POST', path, { role: 'inspector', body: { expectedVersion, notes: 'Checked on site.' } });
    } else if (step === 'reject') {
      after = await client.request('POST', path, { role: 'inspector', body: { expectedVersion, reason: 'Barrier end not anchored; redo.' } });
    } else if (step === 'submit') {
      const segment = await client.request<SegmentDetail>('GET', `/v1/segments/${encodeURIComponent(task.segmentId)}`, { role: 'dispatcher' });
      const coords = segment.geometry?.coordinates ?? [];
      const position = coords.length ? coords[Math.floor(coords.length / 2)] : ([0, 0] as [number, number]);
      const evidence = evidenceAt(position, task.id, new Date(), random);
      after = await client.request('POST', path, { role: 'crew', crewId: task.crewId!, body: { expectedVersion, evidence } });
    } else {
      after = await client.request('POST', path, { role: 'crew', crewId: task.crewId!, body: { expectedVersion } });
    }
    return { step, task: after };
  } catch (err) {
    // Someone else moved the task first (409): the next round sees its new state.
    if (err instanceof GatewayError && err.status === 409) return null;
    throw err;
  }
}

/** How much more a crew wants to finish work already under way than to start new work. */
const PICK_WEIGHT: Record<string, number> = { submitted: 8, in_progress: 6, accepted: 4, rejected: 4, reopened: 3, assigned: 1 };
const PRIORITY_WEIGHT: Record<string, number> = { p1: 6, p2: 3, p3: 1 };

/** Weight of a task when crews choose what to do next: work under way first, urgent work first. */
export function pickWeight(task: TaskSummary & { priority?: string }): number {
  return (PICK_WEIGHT[task.status] ?? 0) * (PRIORITY_WEIGHT[task.priority ?? 'p3'] ?? 1);
}

/** Drives one task through every remaining step (accept, start, submit, verify or reject). */
export async function workThrough(client: GatewayClient, task: TaskSummary, random: Random): Promise<CrewStep[]> {
  const steps: CrewStep[] = [];
  let current: TaskSummary | null = task;
  while (current && steps.length < 6) {
    const done: { step: CrewStep; task: TaskSummary } | null = await advanceTask(client, current, random);
    if (!done) break;
    steps.push(done.step);
    current = done.step === 'reject' ? null : done.task;
  }
  return steps;
}
