import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RequestTargetError, parseRequestTarget } from './request-target';

const refusal = (raw: string) => {
  try {
    parseRequestTarget(raw);
    return 'accepted';
  } catch (err) {
    return err instanceof RequestTargetError ? err.code : 'other error';
  }
};

describe(parseRequestTarget.name, () => {
  it('splits an origin-form target into its path and its query, untouched', () => {
    expect(parseRequestTarget('/v1/tasks?status=assigned&note=a%2F..%2Fb')).toEqual({ path: '/v1/tasks', query: '?status=assigned&note=a%2F..%2Fb' });
    expect(parseRequestTarget('/v1/segments/w1-0')).toEqual({ path: '/v1/segments/w1-0', query: '' });
    expect(parseRequestTarget('/v1/tasks/...')).toEqual({ path: '/v1/tasks/...', query: '' });
  });

  it.each([
    'http://127.0.0.1:18999/v1/tasks?x=1',
    '//127.0.0.1:18999/v1/tasks',
    '*',
    '127.0.0.1:3000',
    '',
    '/v1/tasks/../../metrics',
    '/v1/tasks/..',
    '/v1/tasks/./x',
    '/v1/tasks/%2e%2e/%2E%2E/metrics',
    '/v1/tasks/.%2e/metrics',
    '/v1/tasks/%2e/metrics',
    '/v1/tasks/..\\..\\metrics',
    '/v1/tasks/%5C..%5cmetrics',
    '/v1/tasks/%E0%A4%A',
  ])('refuses %j', (raw) => {
    expect(refusal(raw)).toBe('REQUEST_TARGET_NOT_ALLOWED');
  });

  it('never lets an accepted target move a URL built from it to another host or another path', () => {
    const alphabet = fc.constantFrom(...'/.\\%2eE5cC?#:@ab-_'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 40 }), (tail) => {
        const raw = `/v1/${tail}`;
        if (refusal(raw) !== 'accepted') return;
        const { path, query } = parseRequestTarget(raw);
        const url = new URL('http://upstream.internal:3002');
        url.pathname = path;
        url.search = query;
        expect(url.host).toBe('upstream.internal:3002');
        // The same path: only a raw '#' (never sent by a client, a fragment) is escaped as data.
        expect(url.pathname).toBe(path.replaceAll('#', '%23'));
      }),
      { seed: 11, numRuns: 5_000 },
    );
  });
});
