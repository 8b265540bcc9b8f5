import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';
import { configureApp } from './bootstrap';
import { ObservabilityModule, ObservabilityRegistry } from './observability';

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

@Controller('things')
class ThingsController {
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }
}

describe('/metrics of a service', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ObservabilityModule.forRoot('test-service')], controllers: [ThingsController] }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  it('says the service is up, in the Prometheus text format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(sample(text, 'roadloop_up', 'service="test-service"')).toBe(1);
    expect(sample(text, 'roadloop_uptime_seconds', 'service="test-service"')).toBeGreaterThanOrEqual(0);
  });

  it('times requests in a histogram per method, route and status: the route pattern, never the path a caller sent', async () => {
    for (const id of ['a', 'b', 'c']) expect((await fetch(`${base}/things/${id}`)).status).toBe(200);
    expect((await fetch(`${base}/no/such/path/${'x'.repeat(40)}`)).status).toBe(404);
    const text = await (await fetch(`${base}/metrics`)).text();
    const name = 'roadloop_http_request_duration_seconds';
    expect(text).toContain(`# TYPE ${name} histogram`);
    const route = 'method="GET",route="/things/:id",status="200"';
    expect(sample(text, `${name}_count`, route)).toBe(3);
    expect(sample(text, `${name}_bucket`, `le="+Inf",${route}`)).toBe(3);
    expect(sample(text, `${name}_sum`, route)).toBeGreaterThan(0);
    expect(sample(text, `${name}_count`, 'method="GET",route="(unmatched)",status="404"')).toBe(1);
    expect(text).not.toContain('/no/such/path');
  });
});
