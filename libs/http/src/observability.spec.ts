import { describe, expect, it } from '@jest/globals';
import { ObservabilityRegistry, renderPrometheus } from './observability';

describe(renderPrometheus.name, () => {
  it('writes families in the text exposition format, escaping label values', () => {
    const text = renderPrometheus([
      {
        name: 'roadloop_events_consumed_total',
        help: 'Messages handled',
        type: 'counter',
        samples: [{ labels: { topic: 'a"b', group: 'g' }, value: 3 }],
      },
      { name: 'roadloop_up', help: 'Up', type: 'gauge', samples: [{ value: 1 }] },
    ]);
    expect(text).toBe(
      '# HELP roadloop_events_consumed_total Messages handled\n' +
        '# TYPE roadloop_events_consumed_total counter\n' +
        'roadloop_events_consumed_total{topic="a\\"b",group="g"} 3\n' +
        '# HELP roadloop_up Up\n# TYPE roadloop_up gauge\nroadloop_up 1\n',
    );
  });
});

describe(ObservabilityRegistry.name, () => {
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
