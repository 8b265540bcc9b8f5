import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS_S } from '@roadloop/core';

/**
 * What the consumers of a process report on /metrics, in a prom-client registry: messages handled
 * and dead-lettered, lag, and the time each message took as a histogram per group and topic, so
 * percentiles can be read (its `_sum` is the time spent in all).
 */
export class ConsumerMetrics {
  private readonly consumed: Counter<'group' | 'topic'>;
  private readonly deadLettered: Counter<'group' | 'topic'>;
  private readonly lag: Gauge<'group' | 'topic' | 'partition'>;
  private readonly processing: Histogram<'group' | 'topic'>;
  private readonly last: Gauge<'group'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.consumed = new Counter({ name: 'roadloop_events_consumed_total', help: 'Messages handled (dead letters included), per group and topic', labelNames: ['group', 'topic'], registers });
    this.deadLettered = new Counter({ name: 'roadloop_events_dead_lettered_total', help: 'Messages sent to the dead-letter topic, per group and source topic', labelNames: ['group', 'topic'], registers });
    this.lag = new Gauge({ name: 'roadloop_consumer_lag_messages', help: 'Messages behind the high watermark after the last one handled, per partition', labelNames: ['group', 'topic', 'partition'], registers });
    this.processing = new Histogram({
      name: 'roadloop_event_processing_seconds',
      help: 'Time each message took to handle or dead-letter, retries included, per group and topic',
      labelNames: ['group', 'topic'],
      buckets: DURATION_BUCKETS_S,
      registers,
    });
    this.last = new Gauge({ name: 'roadloop_event_processing_last_seconds', help: 'Time the last message took', labelNames: ['group'], registers });
  }

  /**
   * Messages are done with (handled or dead-lettered), `count` of them (a run) that took `seconds`
   * each; `lag` is what remains behind the last on its partition. The counter and gauges are written
   * once for a run: a write per message (each hashing its labels) was a measurable part of a run.
   */
  handled(group: string, topic: string, partition: number, seconds: number, lag: number, count = 1): void {
    const labels = { group, topic };
    this.consumed.inc(labels, count);
    for (let i = 0; i < count; i++) this.processing.observe(labels, seconds);
    this.last.set({ group }, seconds);
    this.lag.set({ group, topic, partition: String(partition) }, lag);
  }

  deadLetter(group: string, topic: string): void {
    this.deadLettered.inc({ group, topic });
  }
}
