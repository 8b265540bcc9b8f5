import { AuthOptions, Role, signToken } from '@roadloop/auth';

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

/** The public API of a running Roadloop, called as the people who use it (a token per role). */
export class GatewayClient {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    private readonly baseUrl: string,
    private readonly auth: Pick<AuthOptions, 'secret' | 'issuer' | 'audience'>,
    /** How the client waits before trying again. */
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  token(role: Role, crewId?: string): Promise<string> {
    const key = `${role}:${crewId ?? ''}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = signToken({ sub: `simulated-${crewId ?? role}`, role, crewId, ttlS: 24 * 3600 }, this.auth);
      this.tokens.set(key, token);
    }
    return token;
  }

  /**
   * One call. A 429 (refused before anything was done) is tried again after its `Retry-After` (at
   * most 5 s), up to `RETRIES` times, as a careful client does; so is a 503 (a service briefly away
   * or busy) of a read or of a command that names the version it expects, which the gateway refuses
   * with 409 if the first try did apply it (callers take that as done). A report is not sent again
   * after a 503: the broker may still take the first one, and a second would be another report.
   */
  async request<T>(method: string, path: string, options: { role?: Role; crewId?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-correlation-id': `simulator-${Date.now().toString(36)}` };
    if (options.role) headers.authorization = `Bearer ${await this.token(options.role, options.crewId)}`;
    const body = options.body;
    const repeatable = method === 'GET' || (typeof body === 'object' && body !== null && 'expectedVersion' in body);
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if ((response.status === 429 || (response.status === 503 && repeatable)) && attempt < RETRIES) {
        const after = Number(response.headers.get('retry-after'));
        await this.wait(Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 500 * 2 ** attempt);
        continue;
      }
      if (!response.ok) throw new GatewayError(response.status, text, `${method} ${path}`);
      return (text ? JSON.parse(text) : null) as T;
    }
  }
}

/** How many times a call answered 503 or 429 is tried again. */
const RETRIES = 3;
