import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TxScope, managerOf } from '@roadloop/persistence';

/** A whole event as it will be published: full topic name, key, and the value with its envelope. */
export interface OutboxMessage {
  eventId: string;
  topic: string;
  key: string;
  value: Record<string, unknown>;
}

export interface PendingMessage extends OutboxMessage {
  seq: string;
  attempts: number;
}

/** Owns `outbox`. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds an event inside the caller's transaction: it exists if and only if the change committed. */
  async add(message: OutboxMessage, scope: TxScope): Promise<void> {
    await managerOf(this.dataSource, scope).query(
      `INSERT INTO outbox (event_id, topic, message_key, value) VALUES ($1, $2, $3, $4)`,
      [message.eventId, message.topic, message.key, JSON.stringify(message.value)],
    );
  }

  /** Adds many events in one statement, in the given order (their `seq`), inside the caller's transaction (see `add`). */
  async addMany(messages: OutboxMessage[], scope: TxScope): Promise<void> {
    if (!messages.length) return;
    await managerOf(this.dataSource, scope).query(
      `INSERT INTO outbox (event_id, topic, message_key, value)
       SELECT e, t, k, v FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS m (e, t, k, v, n) ORDER BY n`,
      [messages.map((m) => m.eventId), messages.map((m) => m.topic), messages.map((m) => m.key), messages.map((m) => JSON.stringify(m.value))],
    );
  }

  /** The oldest unpublished events, locked; rows another relay holds are skipped, not waited for. */
  async claim(limit: number, scope: TxScope): Promise<PendingMessage[]> {
    const rows: Record<string, unknown>[] = await managerOf(this.dataSource, scope).query(
      `SELECT seq, event_id, topic, message_key, value, attempts FROM outbox
        WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({
      seq: String(r.seq),
      eventId: String(r.event_id),
      topic: String(r.topic),
      key: String(r.message_key),
      value: r.value as Record<string, unknown>,
      attempts: Number(r.attempts),
    }));
  }

  async markPublished(seqs: string[], scope: TxScope): Promise<void> {
    if (!seqs.length) return;
    await managerOf(this.dataSource, scope).query(
      `UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE seq = ANY($1::bigint[])`,
      [seqs],
    );
  }

  async markFailed(seqs: string[], error: string, scope: TxScope): Promise<void> {
    if (!seqs.length) return;
    await managerOf(this.dataSource, scope).query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`,
      [seqs, error.slice(0, 2000)],
    );
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    return Number(row.n);
  }
}
