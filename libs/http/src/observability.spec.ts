import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';
import { configureApp } from './bootstrap';
import { ObservabilityModule } from './observability';

/** One sample line of a metric, its value; undefined when there is none. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

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
