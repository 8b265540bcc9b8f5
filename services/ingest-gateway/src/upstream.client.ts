import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@roadloop/http';
import { GATEWAY_CONFIG, GatewayConfig } from './config';

export interface UpstreamResponse {
  status: number;
  /** Parsed JSON, or the text itself for other content types (CSV exports). */
  body: unknown;
  contentType: string;
}

/** Forwards a request to an internal service and returns its status and JSON body unchanged. */
@Injectable()
export class UpstreamClient {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async forward(
    service: 'task' | 'risk',
    method: string,
    pathAndQuery: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<UpstreamResponse> {
    const base = service === 'task' ? this.config.TASK_SERVICE_URL : this.config.RISK_SERVICE_URL;
    let response: Response;
    try {
      response = await fetch(new URL(pathAndQuery, base), {
        method,
        headers: { 'content-type': 'application/json', ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(this.config.UPSTREAM_TIMEOUT_MS),
      });
    } catch (err) {
      throw new AppError('unavailable', 'UPSTREAM_UNAVAILABLE', `${service} service unavailable: ${(err as Error).message}`);
    }
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
}
