import { describe, expect, it } from '@jest/globals';
import { ObservabilityRegistry } from './observability-registry';

/** One sample line of a metric, its value; undefined when there is none. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe(ObservabilityRegistry.name, () => {
  it('serves what collectors report at scrape time in the Prometheus text format, escaping label values', async () => {
    const registry = new ObservabilityRegistry();
    let handled = 3;
    registry.addCollector(() => [
      { name: 'roadloop_events_consumed_total', help: 'Messages handled', type: 'counter', samples: [{ labels: { topic: 'a"b', group: 'g' }, value: handled }] },
      { name: 'roadloop_live_clients', help: 'Clients', type: 'gauge', samples: [{ value: 1 }] },
    ]);
    const first = await registry.render();
    expect(first).toContain('# HELP roadloop_events_consumed_total Messages handled\n# TYPE roadloop_events_consumed_total counter\n');
    expect(first).toContain('roadloop_events_consumed_total{topic="a\\"b",group="g"} 3\n');
    expect(first).toContain('# TYPE roadloop_live_clients gauge\nroadloop_live_clients 1\n');
    handled = 5;
    // The collector's running total, not the sum of what the scrapes saw.
    expect(sample(await registry.render(), 'roadloop_events_consumed_total', 'group="g"')).toBe(5);
  });

  it('is ready when every required dependency answers, whatever the optional ones say', async () => {
    const registry = new ObservabilityRegistry();
    registry.addIndicator({ name: 'postgres', check: async () => undefined });
    registry.addIndicator({ name: 'redis', optional: true, check: async () => Promise.reject(new Error('connection refused')) });
    expect(await registry.readiness()).toEqual({
      ready: true,
      checks: {
        postgres: { status: 'up', optional: false },
        redis: { status: 'down', optional: true, error: 'connection refused' },
      },
    });
  });

  it('is not ready when a required dependency fails or does not answer in time', async () => {
    const registry = new ObservabilityRegistry();
    registry.addIndicator({ name: 'kafka', check: () => new Promise(() => undefined) });
    const result = await registry.readiness(20);
    expect(result.ready).toBe(false);
    expect(result.checks.kafka).toMatchObject({ status: 'down', error: 'kafka did not answer within 20 ms' });
  });
});
