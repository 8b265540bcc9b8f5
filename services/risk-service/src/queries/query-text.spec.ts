import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { effectivenessQuerySchema, effectivenessSitesQuerySchema, segmentIdOf, topQuerySchema } from './query-schemas';

function refused(parse: () => unknown): string[] {
  try {
    parse();
  } catch (err) {
    if (err instanceof AppError) return err.fields.map((f) => f.field);
    throw err;
  }
  return [];
}

describe('text PostgreSQL cannot store, in risk service requests', () => {
  it('refuses a segment id in the path with a NUL or an unpaired surrogate, naming id', () => {
    expect(segmentIdOf('w4247285-3')).toBe('w4247285-3');
    expect(refused(() => segmentIdOf('\u0000'))).toEqual(['id']);
    expect(refused(() => segmentIdOf('w1-0\ud800'))).toEqual(['id']);
    expect(refused(() => segmentIdOf(''))).toEqual(['id']);
  });

  it.each([
    ['segments/top', topQuerySchema],
    ['effectiveness', effectivenessQuerySchema],
    ['effectiveness/sites', effectivenessSitesQuerySchema],
  ] as [string, z.ZodType][])('refuses a jurisdiction with a NUL in %s, naming it', (_, schema) => {
    expect(refused(() => parseOrThrow(schema, { jurisdiction: 'escaldes-engordany' }, 'query'))).toEqual([]);
    expect(refused(() => parseOrThrow(schema, { jurisdiction: 'escaldes\u0000' }, 'query'))).toEqual(['jurisdiction']);
  });
});
