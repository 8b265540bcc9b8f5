import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@roadloop/http';
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
    sub: z.string().min(1).max(200),
    role: z.enum(ROLES),
    crewId: z.string().min(1).max(100).optional(),
    iss: z.string(),
    aud: z.union([z.string(), z.array(z.string())]),
    exp: z.number().int(),
    iat: z.number().int().optional(),
    nbf: z.number().int().optional(),
  })
  .refine((c) => c.role !== 'crew' || c.crewId !== undefined, { message: 'a crew token needs crewId', path: ['crewId'] });
export type TokenClaims = z.infer<typeof claimsSchema>;

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface SignInput {
  sub: string;
  role: Role;
  crewId?: string;
  /** Lifetime in seconds. */
  ttlS: number;
}

/** Signs an HS256 JWT (RFC 7519) with `iss`, `aud`, `iat` and `exp`. */
export function signToken(input: SignInput, options: Pick<AuthOptions, 'secret' | 'issuer' | 'audience'>, now = new Date()): string {
  if (input.role === 'crew' && !input.crewId) throw new Error('a crew token needs a crewId');
  const iat = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = {
    sub: input.sub,
    role: input.role,
    ...(input.crewId ? { crewId: input.crewId } : {}),
    iss: options.issuer,
    aud: options.audience,
    iat,
    exp: iat + Math.ceil(input.ttlS),
  };
  const signingInput = `${encode(HEADER)}.${encode(claims)}`;
  return `${signingInput}.${sign(signingInput, options.secret)}`;
}

/**
 * Verifies an HS256 JWT: the algorithm (only HS256; `none` and others are refused), the signature
 * (constant-time comparison), `exp` (required), `nbf`, the issuer and the audience, then the claims.
 */
export function verifyToken(token: string, options: AuthOptions, now = new Date()): Principal {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) {
    throw new TokenError('TOKEN_MALFORMED', 'token is not three base64url parts');
  }
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart) as { alg?: unknown } | null;
  if (!header || typeof header !== 'object') throw new TokenError('TOKEN_MALFORMED', 'token header is not a JSON object');
  if (header.alg !== 'HS256') throw new TokenError('TOKEN_UNSUPPORTED_ALGORITHM', `algorithm ${String(header.alg)} is not accepted`);
  const expected = Buffer.from(sign(`${headerPart}.${payloadPart}`, options.secret), 'base64url');
  const actual = Buffer.from(signaturePart, 'base64url');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new TokenError('TOKEN_BAD_SIGNATURE', 'token signature does not match');
  }
  const parsed = claimsSchema.safeParse(decodeJson(payloadPart));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(claims)').join(', ');
    throw new TokenError('TOKEN_BAD_CLAIMS', `token claims are invalid: ${fields}`);
  }
  const claims = parsed.data;
  const nowS = now.getTime() / 1000;
  if (claims.exp <= nowS - options.clockSkewS) throw new TokenError('TOKEN_EXPIRED', 'token has expired');
  if (claims.nbf !== undefined && claims.nbf > nowS + options.clockSkewS) {
    throw new TokenError('TOKEN_NOT_YET_VALID', 'token is not valid yet');
  }
  if (claims.iss !== options.issuer) throw new TokenError('TOKEN_WRONG_ISSUER', 'token was issued by someone else');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.audience)) throw new TokenError('TOKEN_WRONG_AUDIENCE', 'token is meant for another audience');
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

function sign(signingInput: string, secret: string): string {
  return createHmac('sha256', secret).update(signingInput).digest('base64url');
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('TOKEN_MALFORMED', 'token part is not base64url JSON');
  }
}
