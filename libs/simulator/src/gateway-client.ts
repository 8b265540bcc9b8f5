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
   * One call; a 503 or 429 (a service briefly away or busy, the broker out of reach, a rate limit) is
   * tried again after its `Retry-After` (at most 5 s) up to `RETRIES` times, as a careful client does.
   * A transition the first try did apply answers 409 the second time, which callers take as done.
   */
  async request<T>(method: string, path: string, options: { role?: Role; crewId?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-correlation-id': `simulator-${Date.now().toString(36)}` };
    if (options.role) headers.authorization = `Bearer ${await this.token(options.role, options.crewId)}`;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if ((response.status === 503 || response.status === 429) && attempt < RETRIES) {
        const after = Number(response.headers.get('retry-after'));
        await new Promise((resolve) => setTimeout(resolve, Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 500 * 2 ** attempt));
        continue;
      }
      if (!response.ok) throw new GatewayError(response.status, text, `${method} ${path}`);
      return (text ? JSON.parse(text) : null) as T;
    }
  }
}

/** How many times a call answered 503 or 429 is tried again. */
const RETRIES = 3;
