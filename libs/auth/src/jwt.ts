import { JWTPayload, SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { storableString } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { AuthOptions } from './auth.config';
import { Principal, ROLES, Role } from './roles';

/** Why a token was refused. All are 401s: the caller is not authenticated. */
export const TOKEN_ERROR_CODES = [
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_UNSUPPORTED_ALGORITHM',
  'TOKEN_BAD_SIGNATURE',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_WRONG_ISSUER',
  'TOKEN_WRONG_AUDIENCE',
  'TOKEN_BAD_CLAIMS',
] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

export class TokenError extends AppError {
  constructor(code: TokenErrorCode, message: string) {
    super('unauthorized', code, message);
  }
}

const claimsSchema = z
  .object({
    // Both become stored text (task actors, crew filters): what PostgreSQL cannot store is a bad token, not a 500 later.
    sub: storableString().min(1).max(200),
    role: z.enum(ROLES),
    crewId: storableString().min(1).max(100).optional(),
    iss: z.string(),
    aud: z.union([z.string(), z.array(z.string())]),
    exp: z.number().int(),
    iat: z.number().int().optional(),
    nbf: z.number().int().optional(),
  })
  .refine((c) => c.role !== 'crew' || c.crewId !== undefined, { message: 'a crew token needs crewId', path: ['crewId'] });
export type TokenClaims = z.infer<typeof claimsSchema>;

/** The only algorithm signed and accepted (`none`, other HMACs and public-key algorithms are refused). */
const ALGORITHM = 'HS256';

export interface SignInput {
  sub: string;
  role: Role;
  crewId?: string;
  /** Lifetime in seconds. */
  ttlS: number;
}

/** Signs an HS256 JWT (RFC 7519) with `iss`, `aud`, `iat` and `exp`, using jose. */
export async function signToken(input: SignInput, options: Pick<AuthOptions, 'secret' | 'issuer' | 'audience'>, now = new Date()): Promise<string> {
  if (input.role === 'crew' && !input.crewId) throw new Error('a crew token needs a crewId');
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: input.role, ...(input.crewId ? { crewId: input.crewId } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(input.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.ceil(input.ttlS))
    .sign(keyOf(options.secret));
}

/**
 * Verifies an HS256 JWT with jose: the algorithm (only HS256), the signature, `exp` (required) and
 * `nbf` with the clock skew, the issuer and the audience; then our own claims (`sub`, `role`, a
 * crew's `crewId`). Every refusal is a TokenError (401) saying why.
 */
export async function verifyToken(token: string, options: AuthOptions, now = new Date()): Promise<Principal> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keyOf(options.secret), {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockSkewS,
      currentDate: now,
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    throw tokenErrorOf(err);
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(claims)').join(', ');
    throw new TokenError('TOKEN_BAD_CLAIMS', `token claims are invalid: ${fields}`);
  }
  const claims = parsed.data;
  return { id: claims.sub, role: claims.role, crewId: claims.role === 'crew' ? (claims.crewId ?? null) : null };
}

/** The token of an `Authorization: Bearer …` header, or a 401. */
export function bearerToken(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new TokenError('TOKEN_MISSING', 'an Authorization: Bearer token is required');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match) throw new TokenError('TOKEN_MALFORMED', 'the Authorization header is not a Bearer token');
  return match[1];
}

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** jose's reasons, in our codes. */
function tokenErrorOf(err: unknown): TokenError {
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return new TokenError('TOKEN_UNSUPPORTED_ALGORITHM', `token algorithm is not accepted (only ${ALGORITHM})`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenError('TOKEN_BAD_SIGNATURE', 'token signature does not match');
  if (err instanceof errors.JWTExpired) return new TokenError('TOKEN_EXPIRED', 'token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'check_failed' && err.claim === 'nbf') return new TokenError('TOKEN_NOT_YET_VALID', 'token is not valid yet');
    if (err.reason === 'check_failed' && err.claim === 'iss') return new TokenError('TOKEN_WRONG_ISSUER', 'token was issued by someone else');
    if (err.reason === 'check_failed' && err.claim === 'aud') return new TokenError('TOKEN_WRONG_AUDIENCE', 'token is meant for another audience');
    return new TokenError('TOKEN_BAD_CLAIMS', `token claims are invalid: ${err.claim}`);
  }
  if (err instanceof errors.JOSEError) return new TokenError('TOKEN_MALFORMED', `token is malformed: ${err.message}`);
  throw err;
}
