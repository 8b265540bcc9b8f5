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

  async request<T>(method: string, path: string, options: { role?: Role; crewId?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-correlation-id': `simulator-${Date.now().toString(36)}` };
    if (options.role) headers.authorization = `Bearer ${await this.token(options.role, options.crewId)}`;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new GatewayError(response.status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}
