import { z } from 'zod';

/**
 * The secret used when none is configured. Its name says what it is; a process accepts it only
 * when `NODE_ENV` says development or test (see `requireProductionSecret`).
 */
export const DEVELOPMENT_JWT_SECRET = 'roadloop-development-only-jwt-secret-do-not-use-in-production';

/** The `NODE_ENV` values under which the development secret is accepted: an explicit choice. */
const DEVELOPMENT_ENVIRONMENTS = ['development', 'test'];

/** Token settings shared by every service that checks tokens (spread into a service's config schema). */
export const authEnv = {
  /** Unset means a deployment: the development secret is refused unless this says otherwise. */
  NODE_ENV: z.enum(['development', 'test', 'production']).optional(),
  /** HS256 key; at least 32 characters (256 bits, RFC 7518 §3.2). */
  JWT_SECRET: z.string().min(32, 'at least 32 characters (HS256 needs a 256-bit key)').default(DEVELOPMENT_JWT_SECRET),
  JWT_ISSUER: z.string().min(1).default('roadloop'),
  JWT_AUDIENCE: z.string().min(1).default('roadloop-api'),
  /** Tolerated clock difference when checking `exp` and `nbf`, in seconds. */
  JWT_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(600).default(30),
};

/**
 * Refinement for a config schema that includes `authEnv`: a process that checks tokens refuses to
 * start with the publicly known development secret unless `NODE_ENV=development` or `test` says it
 * runs on one machine (`npm start` and the tests say so); a deployment that forgot `JWT_SECRET`
 * fails at start-up instead of accepting tokens anyone can mint.
 */
export function requireProductionSecret(env: { NODE_ENV?: string; JWT_SECRET: string }, ctx: z.RefinementCtx): void {
  if (env.JWT_SECRET === DEVELOPMENT_JWT_SECRET && !DEVELOPMENT_ENVIRONMENTS.includes(env.NODE_ENV ?? '')) {
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_SECRET'],
      message: `required: a secret of at least 32 characters (the development default is accepted only with NODE_ENV=development or test; NODE_ENV is ${env.NODE_ENV ?? 'unset'})`,
    });
  }
}

export const authConfigSchema = z.object(authEnv).superRefine(requireProductionSecret);
export type AuthConfig = z.infer<typeof authConfigSchema>;

/**
 * For tools that only sign tokens (`mint-token`): any secret, the development one included, since a
 * token signed with it is accepted only by services that were explicitly started in development.
 */
export const signingConfigSchema = z.object(authEnv);

/** What the token functions and the guard need. */
export interface AuthOptions {
  secret: string;
  issuer: string;
  audience: string;
  clockSkewS: number;
}

export function authOptionsFrom(config: Pick<AuthConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_CLOCK_SKEW_S'>): AuthOptions {
  return {
    secret: config.JWT_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    clockSkewS: config.JWT_CLOCK_SKEW_S,
  };
}
