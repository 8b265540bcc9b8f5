import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Principal } from '@roadloop/auth';
import { LiveAudience, LiveHub, SseSink } from './live-hub';
import { liveEventVisibleTo, riskEvent, sseFrame, taskEvent } from './live-events';

class FakeSink implements SseSink {
  readonly chunks: string[] = [];
  writableLength = 0;
  ended = false;
  destroyed = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** Anyone who sees everything, for a day. */
const everyone = (subject = 'alice'): LiveAudience => ({ subject, sees: () => true, until: new Date(Date.now() + 86_400_000) });
const as = (principal: Principal, until = new Date(Date.now() + 86_400_000)): LiveAudience => ({
  subject: principal.id,
  sees: (event) => liveEventVisibleTo(principal, event),
  until,
});
const taskOf = (crewId: string | null) =>
  taskEvent({
    taskId: '0b9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b', segmentId: 'w1-0', change: 'assigned', status: 'assigned', previousStatus: 'created',
    countermeasure: 'guardrail', side: 'right', priority: 'p2', hazardIds: [], jurisdictionId: 'west', crewId,
    actor: { role: 'dispatcher', id: 'd' }, reason: null, fixFailed: false, dueAt: '2026-11-20T08:00:00Z', version: 2,
  });

const risk = riskEvent({
  segmentId: 'w1-0', previousLevel: 'low', level: 'high', score: 0.315, alarm: 'yellow', revision: 4,
  factors: [{ factor: 'traffic', value: 0.83 }], cause: { kind: 'accident', id: 'a-1' }, modelVersion: '2.0.0', roadClass: 'primary',
});

describe(LiveHub.name, () => {
  const hubs: LiveHub[] = [];
  const hub = (options: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}) => {
    const h = new LiveHub({ maxClients: 10, maxPerSubject: 10, maxBufferedBytes: 1_000, heartbeatMs: 15_000, ...options });
    hubs.push(h);
    return h;
  };
  afterEach(() => {
    hubs.splice(0).forEach((h) => h.closeAll());
    jest.useRealTimers();
  });

  it('sends compact risk and task events as SSE frames to every client', () => {
    const h = hub();
    const [a, b] = [new FakeSink(), new FakeSink()];
    h.add(a, everyone());
    h.add(b, everyone());
    h.publish(risk);
    h.publish(
      taskEvent({
        taskId: '0b9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b', segmentId: 'w1-0', change: 'assigned', status: 'assigned', previousStatus: 'created',
        countermeasure: 'guardrail', side: 'right', priority: 'p2', hazardIds: [], jurisdictionId: 'west', crewId: 'crew-1',
        actor: { role: 'dispatcher', id: 'd' }, reason: null, fixFailed: false, dueAt: '2026-11-20T08:00:00Z', version: 2,
      }),
    );
    expect(a.chunks).toEqual([
      'event: status\ndata: {"live":false}\n\n',
      'event: risk\ndata: {"segmentId":"w1-0","level":"high","previousLevel":"low","score":0.315,"alarm":"yellow","revision":4}\n\n',
      'event: task\ndata: {"taskId":"0b9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b","segmentId":"w1-0","status":"assigned","crewId":"crew-1","version":2}\n\n',
    ]);
    expect(b.chunks).toEqual(a.chunks);
    expect(h.stats).toEqual({ clients: 2, eventsSent: 4, dropped: 0 });
  });

  it('tells clients when the feed goes live, once per change', () => {
    const h = hub();
    const a = new FakeSink();
    h.add(a, everyone());
    h.setLive(true);
    h.setLive(true);
    const late = new FakeSink();
    h.add(late, everyone());
    expect(a.chunks).toEqual(['event: status\ndata: {"live":false}\n\n', 'event: status\ndata: {"live":true}\n\n']);
    expect(late.chunks).toEqual(['event: status\ndata: {"live":true}\n\n']);
  });

  it('drops a client whose queue is over the bound and keeps serving the others', () => {
    const h = hub({ maxBufferedBytes: 100 });
    const [slow, fast] = [new FakeSink(), new FakeSink()];
    h.add(slow, everyone());
    h.add(fast, everyone());
    slow.writableLength = 101;
    h.publish(risk);
    expect(slow.destroyed).toBe(true);
    expect(slow.chunks).toHaveLength(1);
    expect(fast.chunks).toEqual(['event: status\ndata: {"live":false}\n\n', sseFrame(risk)]);
    expect(h.stats).toMatchObject({ clients: 1, dropped: 1 });
  });

  it('says when it is full, and ends every stream on closeAll', () => {
    const h = hub({ maxClients: 2 });
    const clients = [new FakeSink(), new FakeSink()];
    clients.forEach((c, i) => h.add(c, everyone(`user-${i}`)));
    expect(h.full).toBe(true);
    h.remove(clients[0]);
    expect(h.full).toBe(false);
    h.closeAll();
    expect(clients[1].ended).toBe(true);
    expect(h.stats.clients).toBe(0);
  });

  it('writes a heartbeat comment on its interval while clients are connected', () => {
    jest.useFakeTimers();
    const h = hub({ heartbeatMs: 15_000 });
    const a = new FakeSink();
    h.add(a, everyone());
    jest.advanceTimersByTime(30_000);
    expect(a.chunks.slice(1)).toEqual([': heartbeat\n\n', ': heartbeat\n\n']);
    h.remove(a);
    jest.advanceTimersByTime(30_000);
    expect(a.chunks).toHaveLength(3);
  });

  it('sends a crew its own crew\'s task events and every risk event, and every task event to a dispatcher', () => {
    const h = hub();
    const [crew1, crew2, office] = [new FakeSink(), new FakeSink(), new FakeSink()];
    h.add(crew1, as({ id: 'wang', role: 'crew', crewId: 'crew-1' }));
    h.add(crew2, as({ id: 'li', role: 'crew', crewId: 'crew-2' }));
    h.add(office, as({ id: 'alice', role: 'dispatcher', crewId: null }));
    const [mine, theirs, unassigned] = [taskOf('crew-1'), taskOf('crew-2'), taskOf(null)];
    [mine, theirs, unassigned, risk].forEach((e) => h.publish(e));
    expect(crew1.chunks.slice(1)).toEqual([sseFrame(mine), sseFrame(risk)]);
    expect(crew2.chunks.slice(1)).toEqual([sseFrame(theirs), sseFrame(risk)]);
    expect(office.chunks.slice(1)).toEqual([mine, theirs, unassigned, risk].map(sseFrame));
  });

  it('ends a stream when its token expires, and sends it nothing after', () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T08:00:00Z') });
    const h = hub();
    const [expiring, lasting] = [new FakeSink(), new FakeSink()];
    h.add(expiring, as({ id: 'wang', role: 'crew', crewId: 'crew-1' }, new Date('2026-12-01T08:10:00Z')));
    h.add(lasting, everyone('alice'));
    jest.advanceTimersByTime(10 * 60_000 - 1);
    expect(expiring.ended).toBe(false);
    jest.advanceTimersByTime(1);
    expect(expiring.ended).toBe(true);
    expect(expiring.chunks.at(-1)).toBe('event: expired\ndata: {"reason":"token expired"}\n\n');
    h.publish(risk);
    expect(expiring.chunks.at(-1)).toContain('expired');
    expect(lasting.chunks.at(-1)).toBe(sseFrame(risk));
    expect(h.stats.clients).toBe(1);
  });

  it('counts streams per subject, and frees a place when one closes', () => {
    const h = hub({ maxPerSubject: 2 });
    const [a, b] = [new FakeSink(), new FakeSink()];
    h.add(a, everyone('alice'));
    expect(h.fullFor('alice')).toBe(false);
    h.add(b, everyone('alice'));
    expect(h.fullFor('alice')).toBe(true);
    expect(h.fullFor('bob')).toBe(false);
    h.remove(a);
    h.remove(a);
    expect(h.fullFor('alice')).toBe(false);
  });
});
