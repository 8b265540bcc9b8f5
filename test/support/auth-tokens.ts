import { Role, signToken } from '@roadloop/auth';

/** The secret e2e tests give the services they start (not the development default, to prove it is read). */
export const E2E_JWT_SECRET = 'e2e-only-secret-for-roadloop-tests-0123456789';
export const E2E_AUTH_ENV = { JWT_SECRET: E2E_JWT_SECRET, JWT_ISSUER: 'roadloop', JWT_AUDIENCE: 'roadloop-api' };

/** `Authorization` header value for a user of a role (crew users need a crewId). */
export function bearer(role: Role, sub: string, crewId?: string, secret = E2E_JWT_SECRET): string {
  return `Bearer ${signToken({ sub, role, crewId, ttlS: 3600 }, { secret, issuer: 'roadloop', audience: 'roadloop-api' })}`;
}
