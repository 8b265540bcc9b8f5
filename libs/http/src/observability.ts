import { Controller, DynamicModule, Get, Global, Header, Module, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Gauge, Histogram } from 'prom-client';
import { DURATION_BUCKETS_S, ObservabilityRegistry } from '@roadloop/core';

const HTTP_REQUEST_SECONDS = 'roadloop_http_request_duration_seconds';
type HttpRequestLabels = 'method' | 'route' | 'status';

/** Time to answer each HTTP request, by method, route pattern and status: one histogram per registry. */
function httpRequestSeconds(registry: ObservabilityRegistry): Histogram<HttpRequestLabels> {
  const existing = registry.metrics.getSingleMetric(HTTP_REQUEST_SECONDS) as Histogram<HttpRequestLabels> | undefined;
  return (
    existing ??
    new Histogram({
      name: HTTP_REQUEST_SECONDS,
      help: 'Time from a request to the end of its answer, per method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: DURATION_BUCKETS_S,
      registers: [registry.metrics],
    })
  );
}

/** The route pattern a request matched (`/v1/tasks/:id`), or `(unmatched)`: never the raw path, whose values are unbounded. */
interface RoutedRequest {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/** Express middleware observing each request's duration in the registry's HTTP histogram once its answer ends. */
export function requestMetrics(registry: ObservabilityRegistry) {
  const histogram = httpRequestSeconds(registry);
  return (req: RoutedRequest, res: { statusCode: number; once(event: 'close', listener: () => void): unknown }, next: () => void): void => {
    const end = histogram.startTimer();
    res.once('close', () => {
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : '(unmatched)';
      end({ method: req.method ?? '?', route, status: String(res.statusCode) });
    });
    next();
  };
}

@Controller()
class ObservabilityController {
  constructor(private readonly registry: ObservabilityRegistry) {}

  /** Liveness: the process answers. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: every required dependency answers (503 otherwise, naming the one that does not). */
  @Get(['health', 'health/ready'])
  async ready(@Res() res: Response) {
    const { ready, checks } = await this.registry.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.render();
  }
}

/** /health, /health/live, /health/ready and /metrics for a service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [ObservabilityController],
      providers: [
        {
          provide: ObservabilityRegistry,
          useFactory: () => {
            const registry = new ObservabilityRegistry();
            const started = Date.now();
            const labelNames = ['service'] as const;
            new Gauge({ name: 'roadloop_up', help: 'The service is running', labelNames, registers: [registry.metrics] }).set({ service }, 1);
            new Gauge({
              name: 'roadloop_uptime_seconds',
              help: 'Seconds since the service started',
              labelNames,
              registers: [registry.metrics],
              collect() {
                this.set({ service }, (Date.now() - started) / 1000);
              },
            });
            return registry;
          },
        },
      ],
      exports: [ObservabilityRegistry],
    };
  }
}
