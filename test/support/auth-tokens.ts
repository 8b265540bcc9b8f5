import { createHmac } from 'node:crypto';
import type { Role } from '@roadloop/auth';

/** The secret e2e tests give the services they start (not the development default, to prove it is read). */
export const E2E_JWT_SECRET = 'e2e-only-secret-for-roadloop-tests-0123456789';
export const E2E_AUTH_ENV = { JWT_SECRET: E2E_JWT_SECRET, JWT_ISSUER: 'roadloop', JWT_AUDIENCE: 'roadloop-api' };

/**
 * `Authorization` header value for a user of a role (crew users need a crewId). The token is an
 * HS256 JWT built here from RFC 7515/7519 with node:crypto, not by `@roadloop/auth`: the services
 * must accept any standard token, not only their own library's (and tests stay synchronous).
 */
export function bearer(role: Role, sub: string, crewId?: string, secret = E2E_JWT_SECRET): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub, role, ...(crewId ? { crewId } : {}), iss: 'roadloop', aud: 'roadloop-api', iat, exp: iat + 3600 };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `Bearer ${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
