import { describe, expect, it } from '@jest/globals';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '@roadloop/core';
import { AuthOptions } from './auth.config';
import { signToken } from './jwt';
import { Roles, RolesGuard } from './roles.guard';

const options: AuthOptions = { secret: 'a-test-secret-that-is-long-enough-for-hs256', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 0 };

class Controller {
  @Roles('inspector')
  verify() {}
  open() {}
}

function context(handler: () => void, authorization?: string) {
  const request: { headers: Record<string, string | undefined>; principal?: unknown } = { headers: { authorization } };
  const ctx = {
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => handler,
    getClass: () => Controller,
  } as unknown as ExecutionContext;
  return { ctx, request };
}

async function kindOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'allowed';
  } catch (err) {
    return (err as AppError).kind;
  }
}

describe(RolesGuard.name, () => {
  const guard = new RolesGuard(new Reflector(), options);
  const bearer = async (role: 'inspector' | 'analyst') => `Bearer ${await signToken({ sub: 'u', role, ttlS: 60 }, options)}`;

  it('401s without a token or with a bad one', async () => {
    expect(await kindOf(() => guard.canActivate(context(Controller.prototype.open).ctx))).toBe('unauthorized');
    expect(await kindOf(() => guard.canActivate(context(Controller.prototype.open, 'Bearer x.y.z').ctx))).toBe('unauthorized');
  });

  it('403s a role the handler does not allow, and passes an allowed one with the principal on the request', async () => {
    expect(await kindOf(async () => guard.canActivate(context(Controller.prototype.verify, await bearer('analyst')).ctx))).toBe('forbidden');
    const { ctx, request } = context(Controller.prototype.verify, await bearer('inspector'));
    expect(await guard.canActivate(ctx)).toBe(true);
    expect(request.principal).toEqual({ id: 'u', role: 'inspector', crewId: null });
  });

  it('lets any authenticated role through a handler without @Roles', async () => {
    expect(await kindOf(async () => guard.canActivate(context(Controller.prototype.open, await bearer('analyst')).ctx))).toBe('allowed');
  });
});
