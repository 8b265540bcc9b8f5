import { Logger } from '@nestjs/common';
import { LiveEvent, SSE_HEARTBEAT, sseFrame } from './live-events';

/** The part of an HTTP response a live client is written through. */
export interface SseSink {
  write(chunk: string): boolean;
  /** Bytes queued and not yet taken by the socket. */
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

/** Who a stream is for: what it may see, and until when. */
export interface LiveAudience {
  /** The token's subject; streams are counted per subject. */
  subject: string;
  /** Whether this client may see an event (the read policy: a crew sees its own crew's tasks). */
  sees(event: LiveEvent): boolean;
  /** When the stream ends (the token's expiry). */
  until: Date;
}

export interface LiveHubOptions {
  maxClients: number;
  /** Streams one subject may hold open at once. */
  maxPerSubject: number;
  /** A client with more than this many bytes queued is too slow and is dropped, in bytes. */
  maxBufferedBytes: number;
  heartbeatMs: number;
}

export interface LiveStats {
  clients: number;
  eventsSent: number;
  dropped: number;
}

/** Longest delay a Node timer takes (about 24.8 days); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Client {
  audience: LiveAudience;
  expiry: NodeJS.Timeout;
}

/**
 * The connected live clients. Each event is written to the clients that may see it; a stream ends
 * when its token expires; a client whose socket does not keep up is disconnected (EventSource
 * reconnects by itself) instead of growing the process's memory without bound.
 */
export class LiveHub {
  private readonly clients = new Map<SseSink, Client>();
  private readonly perSubject = new Map<string, number>();
  private readonly logger = new Logger('LiveHub');
  private heartbeat: NodeJS.Timeout | undefined;
  private live = false;
  private eventsSent = 0;
  private dropped = 0;

  constructor(private readonly options: LiveHubOptions) {}

  get stats(): LiveStats {
    return { clients: this.clients.size, eventsSent: this.eventsSent, dropped: this.dropped };
  }

  get full(): boolean {
    return this.clients.size >= this.options.maxClients;
  }

  /** Whether this subject holds as many streams as it may. */
  fullFor(subject: string): boolean {
    return (this.perSubject.get(subject) ?? 0) >= this.options.maxPerSubject;
  }

  /**
   * Adds a client (the caller checked `full` and `fullFor`), tells it whether events are flowing,
   * and ends its stream when `audience.until` comes.
   */
  add(client: SseSink, audience: LiveAudience): void {
    this.clients.set(client, { audience, expiry: this.expiryTimer(client, audience.until) });
    this.perSubject.set(audience.subject, (this.perSubject.get(audience.subject) ?? 0) + 1);
    this.writeTo(client, sseFrame({ type: 'status', data: { live: this.live } }));
    this.heartbeat ??= setInterval(() => this.writeAll(SSE_HEARTBEAT), this.options.heartbeatMs).unref();
  }

  remove(client: SseSink): void {
    const entry = this.clients.get(client);
    if (!entry) return;
    this.clients.delete(client);
    clearTimeout(entry.expiry);
    const left = (this.perSubject.get(entry.audience.subject) ?? 1) - 1;
    if (left > 0) this.perSubject.set(entry.audience.subject, left);
    else this.perSubject.delete(entry.audience.subject);
    if (this.clients.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  publish(event: LiveEvent): void {
    const frame = sseFrame(event);
    for (const [client, { audience }] of [...this.clients]) {
      if (!audience.sees(event)) continue;
      this.writeTo(client, frame);
      this.eventsSent++;
    }
  }

  /** Whether the feed receives events now (its consumer joined its group); clients are told on change. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.writeAll(sseFrame({ type: 'status', data: { live } }));
  }

  /** Ends every stream (at shutdown, so that the HTTP server can close). */
  closeAll(): void {
    for (const client of [...this.clients.keys()]) {
      this.remove(client);
      client.end();
    }
  }

  /** Ends the stream at `until`: an `expired` event, then the end (EventSource's reconnection with the old token gets a 401). */
  private expiryTimer(client: SseSink, until: Date): NodeJS.Timeout {
    const delay = until.getTime() - Date.now();
    if (delay > MAX_TIMER_MS) return setTimeout(() => this.renewExpiry(client, until), MAX_TIMER_MS).unref();
    return setTimeout(() => {
      if (!this.clients.has(client)) return;
      this.writeTo(client, sseFrame({ type: 'expired', data: { reason: 'token expired' } }));
      this.remove(client);
      client.end();
    }, Math.max(0, delay)).unref();
  }

  private renewExpiry(client: SseSink, until: Date): void {
    const entry = this.clients.get(client);
    if (entry) entry.expiry = this.expiryTimer(client, until);
  }

  private writeAll(chunk: string): void {
    for (const client of [...this.clients.keys()]) this.writeTo(client, chunk);
  }

  private writeTo(client: SseSink, chunk: string): void {
    if (client.writableLength > this.options.maxBufferedBytes) {
      this.dropped++;
      this.logger.warn(`dropping a live client with ${client.writableLength} bytes queued`);
      this.remove(client);
      client.destroy();
      return;
    }
    client.write(chunk);
  }
}
