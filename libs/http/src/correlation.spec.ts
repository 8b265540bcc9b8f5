import { describe, expect, it } from '@jest/globals';
import { correlationIdFrom } from './correlation';

describe(correlationIdFrom.name, () => {
  it('takes an id of letters, digits and ._:- up to 200 characters, or the first of repeated headers', () => {
    expect(correlationIdFrom('report-1:a.b_C')).toBe('report-1:a.b_C');
    expect(correlationIdFrom('x'.repeat(200))).toBe('x'.repeat(200));
    expect(correlationIdFrom(['first', 'second'])).toBe('first');
  });

  it.each([[undefined], [''], ['x'.repeat(201)], ['a b'], ['a\nb'], ['ü'], [42], [[]]])('ignores %j', (header) => {
    expect(correlationIdFrom(header)).toBeUndefined();
  });
});
