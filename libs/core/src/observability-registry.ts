import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';

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
