import { z } from 'zod';

/**
 * The secret used when none is configured. Its name says what it is; a process with
 * `NODE_ENV=production` refuses to start with it (see `requireProductionSecret`).
 */
export const DEVELOPMENT_JWT_SECRET = 'roadloop-development-only-jwt-secret-do-not-use-in-production';

/** Token settings shared by every service that checks tokens (spread into a service's config schema). */
export const authEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** HS256 key; at least 32 characters (256 bits, RFC 7518 §3.2). */
  JWT_SECRET: z.string().min(32, 'at least 32 characters (HS256 needs a 256-bit key)').default(DEVELOPMENT_JWT_SECRET),
  JWT_ISSUER: z.string().min(1).default('roadloop'),
  JWT_AUDIENCE: z.string().min(1).default('roadloop-api'),
  /** Tolerated clock difference when checking `exp` and `nbf`, in seconds. */
  JWT_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(600).default(30),
};

/** Refinement for a config schema that includes `authEnv`: production needs its own secret. */
export function requireProductionSecret(env: { NODE_ENV: string; JWT_SECRET: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && env.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_SECRET'],
      message: 'required in production (the development default is refused)',
    });
  }
}

export const authConfigSchema = z.object(authEnv).superRefine(requireProductionSecret);
export type AuthConfig = z.infer<typeof authConfigSchema>;

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
