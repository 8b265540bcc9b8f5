import { Controller, DynamicModule, Get, Global, Header, Injectable, Module, Res } from '@nestjs/common';
import type { Response } from 'express';

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

/** One Prometheus metric family, read at scrape time. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

export type MetricsCollector = () => MetricFamily[] | Promise<MetricFamily[]>;

/**
 * Where the libraries and services register what /health checks and what /metrics reports.
 * Collectors are read at scrape time, so metrics cost nothing between scrapes.
 */
@Injectable()
export class ObservabilityRegistry {
  private readonly indicators: HealthIndicator[] = [];
  private readonly collectors: MetricsCollector[] = [];

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

  async render(): Promise<string> {
    const families = (await Promise.all(this.collectors.map((c) => c()))).flat();
    return renderPrometheus(families);
  }
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

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\n/g, ' ')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const rendered = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',')}}` : '';
      lines.push(`${f.name}${rendered} ${Number.isFinite(s.value) ? s.value : 'NaN'}`);
    }
  }
  return `${lines.join('\n')}\n`;
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
  metrics() {
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
            registry.addCollector(() => [
              { name: 'roadloop_up', help: 'The service is running', type: 'gauge', samples: [{ labels: { service }, value: 1 }] },
              {
                name: 'roadloop_uptime_seconds',
                help: 'Seconds since the service started',
                type: 'gauge',
                samples: [{ labels: { service }, value: (Date.now() - started) / 1000 }],
              },
            ]);
            return registry;
          },
        },
      ],
      exports: [ObservabilityRegistry],
    };
  }
}
