import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { AuthOptions, DEVELOPMENT_JWT_SECRET, authConfigSchema, signingConfigSchema } from './auth.config';
import { TokenError, bearerToken, signToken, verifyToken } from './jwt';
import { ROLES } from './roles';
import { parseTtl } from './ttl';

const options: AuthOptions = { secret: 'a-test-secret-that-is-long-enough-for-hs256', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
const now = new Date('2026-11-27T10:00:00Z');
const later = (s: number) => new Date(now.getTime() + s * 1000);

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof TokenError) return err.code;
    throw err;
  }
  return 'ACCEPTED';
}

/** Re-signs a payload the way an attacker who knows some secret would. */
function forge(header: object, claims: object, secret = options.secret): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const validClaims = { sub: 'alice', role: 'dispatcher', iss: 'roadloop', aud: 'roadloop-api', iat: 1, exp: Math.floor(now.getTime() / 1000) + 60 };

describe(verifyToken.name, () => {
  it('accepts what signToken signed, for every role', async () => {
    for (const role of ROLES) {
      const token = await signToken({ sub: 'u1', role, crewId: role === 'crew' ? 'crew-1' : undefined, ttlS: 3600 }, options, now);
      expect(await verifyToken(token, options, later(10))).toEqual({ id: 'u1', role, crewId: role === 'crew' ? 'crew-1' : null });
    }
  });

  it('signs a standard HS256 JWT with the claims an independent verifier expects', async () => {
    const token = await signToken({ sub: 'wang', role: 'crew', crewId: 'crew-7', ttlS: 600 }, options, now);
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(signature).toBe(createHmac('sha256', options.secret).update(`${header}.${payload}`).digest('base64url'));
    const iat = Math.floor(now.getTime() / 1000);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
      sub: 'wang',
      role: 'crew',
      crewId: 'crew-7',
      iss: 'roadloop',
      aud: 'roadloop-api',
      iat,
      exp: iat + 600,
    });
  });

  it('refuses a tampered payload (role raised without re-signing)', async () => {
    const token = await signToken({ sub: 'bob', role: 'analyst', ttlS: 3600 }, options, now);
    const [h, , s] = token.split('.');
    const raised = Buffer.from(JSON.stringify({ ...validClaims, sub: 'bob', role: 'admin' })).toString('base64url');
    expect(await codeOf(() => verifyToken(`${h}.${raised}.${s}`, options, now))).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses a token signed with another secret', async () => {
    expect(await codeOf(() => verifyToken(forge({ alg: 'HS256' }, validClaims, 'another-secret-another-secret-another'), options, now))).toBe(
      'TOKEN_BAD_SIGNATURE',
    );
  });

  it('refuses expired tokens beyond the clock skew, and accepts within it', async () => {
    const token = await signToken({ sub: 'u', role: 'inspector', ttlS: 60 }, options, now);
    expect(await codeOf(() => verifyToken(token, options, later(60 + 29)))).toBe('ACCEPTED');
    expect(await codeOf(() => verifyToken(token, options, later(60 + 31)))).toBe('TOKEN_EXPIRED');
  });

  it.each([
    ['the wrong audience', { ...validClaims, aud: 'another-api' }, 'TOKEN_WRONG_AUDIENCE'],
    ['an audience list without ours', { ...validClaims, aud: ['a', 'b'] }, 'TOKEN_WRONG_AUDIENCE'],
    ['the wrong issuer', { ...validClaims, iss: 'evil' }, 'TOKEN_WRONG_ISSUER'],
    ['no exp', { ...validClaims, exp: undefined }, 'TOKEN_BAD_CLAIMS'],
    ['no iss', { ...validClaims, iss: undefined }, 'TOKEN_BAD_CLAIMS'],
    ['no sub', { ...validClaims, sub: undefined }, 'TOKEN_BAD_CLAIMS'],
    ['a non-numeric exp', { ...validClaims, exp: 'tomorrow' }, 'TOKEN_BAD_CLAIMS'],
    ['an unknown role', { ...validClaims, role: 'root' }, 'TOKEN_BAD_CLAIMS'],
    ['a crew token without crewId', { ...validClaims, role: 'crew' }, 'TOKEN_BAD_CLAIMS'],
    ['a NUL in sub', { ...validClaims, sub: 'ali\u0000ce' }, 'TOKEN_BAD_CLAIMS'],
    ['an unpaired surrogate in sub', { ...validClaims, sub: 'alice\ud800' }, 'TOKEN_BAD_CLAIMS'],
    ['a NUL in crewId', { ...validClaims, role: 'crew', crewId: 'crew-1\u0000' }, 'TOKEN_BAD_CLAIMS'],
    ['a future nbf', { ...validClaims, nbf: validClaims.exp }, 'TOKEN_NOT_YET_VALID'],
  ])('refuses a token with %s', async (_, claims, code) => {
    expect(await codeOf(() => verifyToken(forge({ alg: 'HS256', typ: 'JWT' }, claims), options, now))).toBe(code);
  });

  it('accepts an audience list that contains ours', async () => {
    expect((await verifyToken(forge({ alg: 'HS256' }, { ...validClaims, aud: ['x', 'roadloop-api'] }), options, now)).id).toBe('alice');
  });

  it('refuses alg none and other algorithms, HMAC or public-key', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(await codeOf(() => verifyToken(`${enc({ alg: 'none' })}.${enc(validClaims)}.`, options, now))).toBe('TOKEN_UNSUPPORTED_ALGORITHM');
    expect(await codeOf(() => verifyToken(`${enc({ alg: 'none' })}.${enc(validClaims)}.x`, options, now))).toBe('TOKEN_UNSUPPORTED_ALGORITHM');
    for (const alg of ['HS512', 'HS384', 'RS256', 'ES256', 'PS256', 'EdDSA']) {
      expect({ alg, code: await codeOf(() => verifyToken(forge({ alg }, validClaims), options, now)) }).toEqual({ alg, code: 'TOKEN_UNSUPPORTED_ALGORITHM' });
    }
  });

  it('refuses a token whose header demands an extension it does not understand (RFC 7515 §4.1.11)', async () => {
    expect(await codeOf(() => verifyToken(forge({ alg: 'HS256', crit: ['x-bind'], 'x-bind': 1 }, validClaims), options, now))).toBe('TOKEN_MALFORMED');
  });

  it('refuses malformed tokens without throwing anything but a TokenError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.base64String({ maxLength: 40 }), { maxLength: 4 }).map((p) => p.join('.'))), async (garbage) => {
        expect(['TOKEN_MALFORMED', 'TOKEN_UNSUPPORTED_ALGORITHM', 'TOKEN_BAD_SIGNATURE']).toContain(await codeOf(() => verifyToken(garbage, options, now)));
      }),
      { seed: 12 },
    );
  });

  it('maps every refusal to a 401 kind', async () => {
    await expect(verifyToken('a.b.c', options, now)).rejects.toThrow(expect.objectContaining({ kind: 'unauthorized' }));
  });
});

describe(bearerToken.name, () => {
  it('reads the token of a Bearer header, and 401s for a missing or other scheme', async () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc')).toBe('abc');
    expect(await codeOf(() => bearerToken(undefined))).toBe('TOKEN_MISSING');
    expect(await codeOf(() => bearerToken('Basic dXNlcjpwYXNz'))).toBe('TOKEN_MALFORMED');
  });
});

describe('auth configuration', () => {
  it('accepts the clearly named development default only when NODE_ENV says development or test', () => {
    expect(authConfigSchema.parse({ NODE_ENV: 'development' }).JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
    expect(authConfigSchema.parse({ NODE_ENV: 'test' }).JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
    for (const env of [{}, { NODE_ENV: 'production' }, { JWT_SECRET: DEVELOPMENT_JWT_SECRET }]) {
      const refused = authConfigSchema.safeParse(env);
      expect(refused.success).toBe(false);
      expect(refused.error?.issues.map((i) => i.path)).toEqual([['JWT_SECRET']]);
      expect(refused.error?.issues[0].message).toMatch(/NODE_ENV=development or test/);
    }
    expect(authConfigSchema.safeParse({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).success).toBe(true);
    expect(authConfigSchema.safeParse({ JWT_SECRET: 'x'.repeat(40) }).success).toBe(true);
    expect(authConfigSchema.safeParse({ NODE_ENV: 'development', JWT_SECRET: 'short' }).success).toBe(false);
  });

  it('lets a tool that only signs use the development secret, since only development services accept it', () => {
    expect(signingConfigSchema.parse({}).JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
  });
});

describe(parseTtl.name, () => {
  it('parses units', () => {
    expect([parseTtl('90'), parseTtl('90s'), parseTtl('30m'), parseTtl('8h'), parseTtl('2d')]).toEqual([90, 90, 1800, 28800, 172800]);
    expect(() => parseTtl('8 hours')).toThrow(/invalid ttl/);
    expect(() => parseTtl('0h')).toThrow(/positive/);
  });
});
