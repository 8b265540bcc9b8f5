import { describe, expect, it } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { daysBetween, historyQuerySchema, indexQuerySchema } from './daily-index.schema';

function problems(schema: typeof indexQuerySchema | typeof historyQuerySchema, query: Record<string, string>): string[] {
  try {
    parseOrThrow(schema, query, 'query');
  } catch (err) {
    return (err as AppError).fields.map((f) => f.field);
  }
  return [];
}

describe('daily index query schemas', () => {
  it('reads a day and a format, JSON by default', () => {
    expect(parseOrThrow(indexQuerySchema, { date: '2024-02-29' })).toEqual({ date: '2024-02-29', format: 'json' });
    expect(parseOrThrow(historyQuerySchema, { from: '2026-11-01', to: '2026-11-27', format: 'csv' })).toEqual({ from: '2026-11-01', to: '2026-11-27', format: 'csv' });
  });

  it.each([
    [indexQuerySchema, { date: '2026-02-30' }, ['date']],
    [indexQuerySchema, { date: '27/11/2026' }, ['date']],
    [indexQuerySchema, { format: 'kml' }, ['format']],
    [indexQuerySchema, { day: '2026-11-27' }, ['day']],
    [historyQuerySchema, { from: '2026-11-28', to: '2026-11-27' }, ['from']],
    [historyQuerySchema, { from: '2024-01-01', to: '2026-11-27' }, ['from']],
    [historyQuerySchema, { format: 'geojson' }, ['format']],
  ] as const)('refuses %#: %o naming %o', (schema, query, fields) => expect(problems(schema, query)).toEqual(fields));

  it('lists the days of a range inclusively, across a month end', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(daysBetween('2026-11-29', '2026-11-28')).toEqual([]);
  });
});
