import { IHeaders } from 'kafkajs';
import { TransactionRunner } from '@roadloop/persistence';
import { OutboxRepository, PendingMessage } from './outbox.repository';

/** What the relay needs of a producer (EventPublisher.send satisfies it). */
export interface OutboxSender {
  send(topic: string, messages: { key: string; value: string; headers?: IHeaders }[]): Promise<void>;
}

export interface OutboxRelayOptions {
  pollMs: number;
  batchSize: number;
}

interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Publishes what the transactional outbox holds: claims a batch (FOR UPDATE SKIP LOCKED), sends it,
 * marks it published, all in one transaction. A failed send leaves the rows for the next round; a
 * crash after the send and before the commit sends them again (at-least-once: the eventId was fixed
 * when the row was written, and each event carries the task's version, so consumers dedupe).
 * Order: rows are sent in `seq` order, so one relay keeps each task's events in order; with several
 * replicas, batches may interleave and consumers rely on the version instead.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly outbox: OutboxRepository,
    private readonly sender: OutboxSender,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
  ) {}

  /** One round: returns how many events were published. */
  async relayOnce(): Promise<number> {
    return this.tx.run(async (scope) => {
      const batch = await this.outbox.claim(this.options.batchSize, scope);
      const sent: string[] = [];
      try {
        for (const group of byConsecutiveTopic(batch)) {
          await this.sender.send(
            group[0].topic,
            group.map((m) => ({
              key: m.key,
              value: JSON.stringify(m.value),
              headers: { 'x-event-id': m.eventId, 'x-correlation-id': String(m.value.correlationId ?? '') },
            })),
          );
          sent.push(...group.map((m) => m.seq));
        }
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.logger.warn(`outbox: publishing ${batch.length - sent.length} events failed, retrying next round: ${reason}`);
        await this.outbox.markFailed(
          batch.filter((m) => !sent.includes(m.seq)).map((m) => m.seq),
          reason,
          scope,
        );
      }
      await this.outbox.markPublished(sent, scope);
      return sent.length;
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Asks for a round soon (after a command committed), without waiting for the poll interval. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async round(): Promise<void> {
    let published = 0;
    try {
      published = await this.relayOnce();
    } catch (err) {
      this.logger.error(`outbox relay round failed: ${(err as Error).message}`);
    }
    const more = published >= this.options.batchSize || this.again;
    this.again = false;
    this.schedule(more ? 0 : this.options.pollMs);
  }
}

function byConsecutiveTopic(batch: PendingMessage[]): PendingMessage[][] {
  const groups: PendingMessage[][] = [];
  for (const m of batch) {
    const last = groups[groups.length - 1];
    if (last && last[0].topic === m.topic) last.push(m);
    else groups.push([m]);
  }
  return groups;
}
