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

export interface LiveHubOptions {
  maxClients: number;
  /** A client with more than this many bytes queued is too slow and is dropped, in bytes. */
  maxBufferedBytes: number;
  heartbeatMs: number;
}

export interface LiveStats {
  clients: number;
  eventsSent: number;
  dropped: number;
}

/**
 * The connected live clients. Every event is written to each of them; a client whose socket does
 * not keep up is disconnected (EventSource reconnects by itself) instead of growing the process's
 * memory without bound.
 */
export class LiveHub {
  private readonly clients = new Set<SseSink>();
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

  /** Adds a client (the caller checked `full`) and tells it whether events are flowing. */
  add(client: SseSink): void {
    this.clients.add(client);
    this.writeTo(client, sseFrame({ type: 'status', data: { live: this.live } }));
    this.heartbeat ??= setInterval(() => this.writeAll(SSE_HEARTBEAT), this.options.heartbeatMs).unref();
  }

  remove(client: SseSink): void {
    this.clients.delete(client);
    if (this.clients.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  publish(event: LiveEvent): void {
    this.writeAll(sseFrame(event));
    this.eventsSent += this.clients.size;
  }

  /** Whether the feed receives events now (its consumer joined its group); clients are told on change. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.writeAll(sseFrame({ type: 'status', data: { live } }));
  }

  /** Ends every stream (at shutdown, so that the HTTP server can close). */
  closeAll(): void {
    for (const client of [...this.clients]) {
      this.remove(client);
      client.end();
    }
  }

  private writeAll(chunk: string): void {
    for (const client of [...this.clients]) this.writeTo(client, chunk);
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
