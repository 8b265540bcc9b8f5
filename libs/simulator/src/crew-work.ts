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

/** Takes one task one step further, as its crew or an inspector would. Returns the step taken. */
export async function advanceTask(client: GatewayClient, task: TaskSummary, random: Random, rejectShare = 0.15): Promise<CrewStep | null> {
  const step = nextStep(task.status, random, rejectShare);
  if (!step || (step !== 'verify' && step !== 'reject' && !task.crewId)) return null;
  const path = `/v1/tasks/${task.id}/${step}`;
  const expectedVersion = task.version;
  try {
    if (step === 'verify') {
      await client.request('POST', path, { role: 'inspector', body: { expectedVersion, notes: 'Checked on site.' } });
    } else if (step === 'reject') {
      await client.request('POST', path, { role: 'inspector', body: { expectedVersion, reason: 'Barrier end not anchored; redo.' } });
    } else if (step === 'submit') {
      const segment = await client.request<SegmentDetail>('GET', `/v1/segments/${encodeURIComponent(task.segmentId)}`, { role: 'dispatcher' });
      const coords = segment.geometry?.coordinates ?? [];
      const position = coords.length ? coords[Math.floor(coords.length / 2)] : ([0, 0] as [number, number]);
      const evidence = evidenceAt(position, task.id, new Date(), random);
      await client.request('POST', path, { role: 'crew', crewId: task.crewId!, body: { expectedVersion, evidence } });
    } else {
      await client.request('POST', path, { role: 'crew', crewId: task.crewId!, body: { expectedVersion } });
    }
    return step;
  } catch (err) {
    // Someone else moved the task first (409): the next round sees its new state.
    if (err instanceof GatewayError && err.status === 409) return null;
    throw err;
  }
}
