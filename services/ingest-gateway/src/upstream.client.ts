import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AppError } from '@roadloop/core';
import { parseRequestTarget } from '@roadloop/http';
import { GATEWAY_CONFIG, GatewayConfig } from './config';

export type UpstreamService = 'task' | 'risk';

/** A request body passed on as bytes (an upload) rather than as JSON. */
export class RawBody {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
  ) {}
}

export interface UpstreamResponse {
  status: number;
  /** Parsed JSON, or the text itself for other content types (CSV exports). */
  body: unknown;
  contentType: string;
}

/** An upstream answer as a byte stream, for passing on unchanged (GeoJSON, CSV, errors). */
export interface RelayedResponse {
  status: number;
  /** The body as it arrives (null when there is none): multi-megabyte GeoJSON is never held whole. */
  body: Readable | null;
  /** Response headers worth passing on (content type, a download's file name). */
  headers: Record<string, string>;
}

/** Headers of a request that the owning service needs: who calls and which flow it belongs to. */
const REQUEST_HEADERS = ['authorization', 'x-correlation-id', 'accept', 'idempotency-key'] as const;
/** Headers of a response that say what the body is, or when to come back (a 429's `retry-after`). */
const RESPONSE_HEADERS = ['content-type', 'content-disposition', 'x-next-cursor', 'retry-after', 'cache-control', 'content-security-policy'] as const;

/** Forwards requests to the internal services. */
@Injectable()
export class UpstreamClient {
  private readonly task: UpstreamInstances;
  private readonly risk: UpstreamInstances;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.task = new UpstreamInstances(config.TASK_SERVICE_URL, config.UPSTREAM_DOWN_MS);
    this.risk = new UpstreamInstances(config.RISK_SERVICE_URL, config.UPSTREAM_DOWN_MS);
  }

  /** Calls a service and parses a JSON answer (for the gateway's own use, e.g. the OpenAPI parts). */
  async forward(
    service: UpstreamService,
    method: string,
    pathAndQuery: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<UpstreamResponse> {
    const response = await this.fetch(service, method, pathAndQuery, init);
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? 'application/json';
    let body: unknown = text;
    if (contentType.includes('json')) {
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // A malformed upstream body is passed on as text.
      }
    }
    return { status: response.status, body, contentType };
  }

  /**
   * Passes a client's request to a service and streams the answer's bytes and content type back
   * untouched, so GeoJSON (`application/geo+json`), CSV and error bodies reach the client as sent.
   */
  async relay(
    service: UpstreamService,
    method: string,
    pathAndQuery: string,
    init: { body?: unknown; headers: Record<string, string | string[] | undefined>; signal?: AbortSignal },
  ): Promise<RelayedResponse> {
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = init.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await this.fetch(service, method, pathAndQuery, { body: init.body, headers, signal: init.signal });
    const passed: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) passed[name] = value;
    }
    return { status: response.status, body: response.body ? Readable.fromWeb(response.body as WebReadableStream) : null, headers: passed };
  }

  private async fetch(
    service: UpstreamService,
    method: string,
    pathAndQuery: string,
    init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Response> {
    // The host is the configured one whatever the path says: the path and query are set on a copy
    // of the service's URL instead of being resolved against it (`new URL('//host/…', base)` would
    // change the host, `/../` the path).
    const { path, query } = parseRequestTarget(pathAndQuery);
    const instances = service === 'task' ? this.task : this.risk;
    // An upload (a photo's bytes) goes as it came, with its own content type; everything else is JSON.
    const upload = init.body instanceof RawBody ? init.body : null;
    const failures: string[] = [];
    for (const base of instances.order()) {
      const url = new URL(base);
      url.pathname = path;
      url.search = query;
      try {
        return await fetch(url, {
          method,
          headers: { ...init.headers, 'content-type': upload ? upload.contentType : 'application/json' },
          body: upload ? new Uint8Array(upload.bytes) : init.body === undefined ? undefined : JSON.stringify(init.body),
          // Given up at the timeout or when the caller goes away: either closes the connection, and the
          // service cancels the request's database work.
          signal: init.signal
            ? AbortSignal.any([init.signal, AbortSignal.timeout(this.config.UPSTREAM_TIMEOUT_MS)])
            : AbortSignal.timeout(this.config.UPSTREAM_TIMEOUT_MS),
        });
      } catch (err) {
        failures.push(`${url.host}: ${describeFailure(err)}`);
        if (init.signal?.aborted) break;
        // A refused connection never reached the instance, so any request may go to the next one; a
        // read may go after any failure; a command that may have reached its instance is not sent twice.
        const refused = connectionRefused(err);
        if (refused) instances.markDown(base);
        if (!refused && !SAFE_METHODS.has(method.toUpperCase())) break;
      }
    }
    throw new AppError('unavailable', 'UPSTREAM_UNAVAILABLE', `${service} service unavailable: ${failures.join('; ')}`);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Errors of a connection that was never made: the request cannot have reached the instance. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function connectionRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  if (cause?.code && NOT_CONNECTED.has(cause.code)) return true;
  // Several addresses tried at once (happy eyeballs) fail as one AggregateError.
  return !!cause?.errors?.length && cause.errors.every((e) => e.code !== undefined && NOT_CONNECTED.has(e.code));
}

function describeFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/**
 * The instances of one service. Each request starts at the next instance in turn (reads spread over
 * them); an instance that refused a connection is tried last for `downMs`, so a killed instance
 * costs one refused connection, not one per request.
 */
export class UpstreamInstances {
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(
    readonly urls: readonly string[],
    private readonly downMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!urls.length) throw new Error('an upstream service needs at least one URL');
  }

  /** The order in which one request tries the instances: those not marked down in turn, then the others. */
  order(): string[] {
    const start = this.next;
    this.next = (this.next + 1) % this.urls.length;
    const rotated = [...this.urls.slice(start), ...this.urls.slice(0, start)];
    const t = this.now();
    const isDown = (u: string) => (this.downUntil.get(u) ?? 0) > t;
    return [...rotated.filter((u) => !isDown(u)), ...rotated.filter(isDown)];
  }

  markDown(url: string): void {
    this.downUntil.set(url, this.now() + this.downMs);
  }
}
