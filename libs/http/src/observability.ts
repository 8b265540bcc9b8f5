import { Controller, DynamicModule, Get, Global, Header, Injectable, Module, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A dependency the service needs to do its work (broker, database, cache). */
export interface HealthIndicator {
  name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
  /** A dependency the service can work without (e.g. Redis, with database fall-backs). */
  optional?: boolean;
}

export interface Sample {
  labels?: Record<string, string | number>;
  value: number;
}

/** One Prometheus metric family, read at scrape time (for values a service already keeps, such as counts in its database). */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

export type MetricsCollector = () => MetricFamily[] | Promise<MetricFamily[]>;

/** Seconds: 1 ms to 10 s, for HTTP answers and handled events. */
export const DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Where the libraries and services register what /health checks and what /metrics reports.
 * Metrics are prom-client's, in a registry of this application's own (`metrics`: register counters,
 * gauges and histograms there); collectors are read at scrape time, for values that cost nothing
 * between scrapes.
 */
@Injectable()
export class ObservabilityRegistry {
  readonly metrics = new Registry();
  /** Time to answer each HTTP request, by method, route pattern and status (configureApp observes it). */
  readonly httpRequestSeconds = new Histogram({
    name: 'roadloop_http_request_duration_seconds',
    help: 'Time from a request to the end of its answer, per method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [this.metrics],
  });
  private readonly indicators: HealthIndicator[] = [];
  private readonly collectors: MetricsCollector[] = [];
  /** The prom-client metric each collected family is written into, by name. */
  private readonly collected = new Map<string, Gauge | Counter>();

  addIndicator(indicator: HealthIndicator): void {
    this.indicators.push(indicator);
  }

  addCollector(collector: MetricsCollector): void {
    this.collectors.push(collector);
  }

  /** Checks every dependency (bounded in time); ready when every required one answers. */
  async readiness(timeoutMs = 2_000): Promise<{ ready: boolean; checks: Record<string, { status: 'up' | 'down'; optional: boolean; error?: string }> }> {
    const results = await Promise.all(
      this.indicators.map(async (i) => {
        try {
          await withTimeout(i.check(), timeoutMs, i.name);
          return [i.name, { status: 'up' as const, optional: i.optional ?? false }] as const;
        } catch (err) {
          return [i.name, { status: 'down' as const, optional: i.optional ?? false, error: (err as Error).message }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    return { ready: results.every(([, r]) => r.status === 'up' || r.optional), checks };
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  async render(): Promise<string> {
    const families = (await Promise.all(this.collectors.map((c) => c()))).flat();
    for (const family of families) this.write(family);
    return this.metrics.metrics();
  }

  /** Replaces a collected family's samples: a collector reports totals, not increments. */
  private write(family: MetricFamily): void {
    let metric = this.collected.get(family.name);
    if (!metric) {
      const labelNames = [...new Set(family.samples.flatMap((s) => Object.keys(s.labels ?? {})))];
      const config = { name: family.name, help: family.help, labelNames, registers: [this.metrics] };
      metric = family.type === 'counter' ? new Counter(config) : new Gauge(config);
      this.collected.set(family.name, metric);
    }
    metric.reset();
    for (const { labels = {}, value } of family.samples) {
      if (metric instanceof Counter) metric.inc(labels, value);
      else metric.set(labels, value);
    }
  }
}

/** The route pattern a request matched (`/v1/tasks/:id`), or `(unmatched)`: never the raw path, whose values are unbounded. */
interface RoutedRequest {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/** Express middleware observing each request's duration in the registry's HTTP histogram once its answer ends. */
export function requestMetrics(registry: ObservabilityRegistry) {
  return (req: RoutedRequest, res: { statusCode: number; once(event: 'close', listener: () => void): unknown }, next: () => void): void => {
    const end = registry.httpRequestSeconds.startTimer();
    res.once('close', () => {
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : '(unmatched)';
      end({ method: req.method ?? '?', route, status: String(res.statusCode) });
    });
    next();
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
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
