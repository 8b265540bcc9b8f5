import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { LiveHub, SseSink } from './live-hub';
import { riskEvent, sseFrame, taskEvent } from './live-events';

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

const risk = riskEvent({
  segmentId: 'w1-0', previousLevel: 'low', level: 'high', score: 31.5, revision: 4,
  factors: [{ factor: 'exposure', value: 8 }], cause: { kind: 'accident', id: 'a-1' }, roadClass: 'primary',
});

describe(LiveHub.name, () => {
  const hubs: LiveHub[] = [];
  const hub = (options: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}) => {
    const h = new LiveHub({ maxClients: 10, maxBufferedBytes: 1_000, heartbeatMs: 15_000, ...options });
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
    h.add(a);
    h.add(b);
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
      'event: risk\ndata: {"segmentId":"w1-0","level":"high","previousLevel":"low","score":31.5,"revision":4}\n\n',
      'event: task\ndata: {"taskId":"0b9f1a7e-3c2d-4e5f-8a9b-0c1d2e3f4a5b","segmentId":"w1-0","status":"assigned","crewId":"crew-1","version":2}\n\n',
    ]);
    expect(b.chunks).toEqual(a.chunks);
    expect(h.stats).toEqual({ clients: 2, eventsSent: 4, dropped: 0 });
  });

  it('tells clients when the feed goes live, once per change', () => {
    const h = hub();
    const a = new FakeSink();
    h.add(a);
    h.setLive(true);
    h.setLive(true);
    const late = new FakeSink();
    h.add(late);
    expect(a.chunks).toEqual(['event: status\ndata: {"live":false}\n\n', 'event: status\ndata: {"live":true}\n\n']);
    expect(late.chunks).toEqual(['event: status\ndata: {"live":true}\n\n']);
  });

  it('drops a client whose queue is over the bound and keeps serving the others', () => {
    const h = hub({ maxBufferedBytes: 100 });
    const [slow, fast] = [new FakeSink(), new FakeSink()];
    h.add(slow);
    h.add(fast);
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
    clients.forEach((c) => h.add(c));
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
    h.add(a);
    jest.advanceTimersByTime(30_000);
    expect(a.chunks.slice(1)).toEqual([': heartbeat\n\n', ': heartbeat\n\n']);
    h.remove(a);
    jest.advanceTimersByTime(30_000);
    expect(a.chunks).toHaveLength(3);
  });
});
