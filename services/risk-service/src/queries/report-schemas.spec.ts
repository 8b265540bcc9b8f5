import { describe, expect, it } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { z } from 'zod';
import {
  accidentsQuerySchema,
  effectivenessQuerySchema,
  effectivenessSitesQuerySchema,
  encodeCursor,
  hazardsQuerySchema,
  hazardsWithinQuerySchema,
  topQuerySchema,
  unmatchedQuerySchema,
} from './query-schemas';

function fieldsOf(schema: z.ZodType, query: Record<string, unknown>): string[] {
  try {
    parseOrThrow(schema, query, 'query');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('invalid');
    return (err as AppError).fields.map((f) => f.field);
  }
  throw new Error('expected a validation error');
}

describe('top query', () => {
  it('has defaults and splits lists', () => {
    expect(parseOrThrow(topQuerySchema, {})).toEqual({ limit: 20, format: 'json' });
    expect(parseOrThrow(topQuerySchema, { roadClass: 'primary, secondary,primary', side: 'water,cliff', level: 'high,very_high', jurisdiction: 'ad-07', format: 'geojson' })).toEqual({
      limit: 20, roadClass: ['primary', 'secondary'], side: ['water', 'cliff'], level: ['high', 'very_high'], jurisdiction: 'ad-07', format: 'geojson',
    });
  });

  it.each([
    ['limit', '1001'],
    ['limit', '100000000'],
    ['limit', '0'],
    ['roadClass', 'primary,autobahn'],
    ['roadClass', ''],
    ['side', 'left'],
    ['level', 'extreme'],
    ['format', 'xml'],
    ['jurisdiction', ''],
  ])('names %s=%s', (name, value) => {
    expect(fieldsOf(topQuerySchema, { [name]: value })).toEqual([name]);
  });

  it('names an unknown filter and a repeated parameter', () => {
    expect(fieldsOf(topQuerySchema, { colour: 'red' })).toEqual(['colour']);
    expect(fieldsOf(topQuerySchema, { level: ['high', 'low'] })).toEqual(['level']);
  });
});

describe('hazard, accident, unmatched and effectiveness queries', () => {
  it('pages with a cursor the service issued', () => {
    const cursor = encodeCursor({ at: '2026-01-02T03:04:05.000Z', id: '7b0c7f5e-8a43-4a8e-9a6f-1d2b3c4d5e6f' });
    expect(parseOrThrow(hazardsQuerySchema, { cursor, status: 'open,duplicate', category: 'rockfall' })).toEqual({
      cursor: { at: '2026-01-02T03:04:05.000Z', id: '7b0c7f5e-8a43-4a8e-9a6f-1d2b3c4d5e6f' },
      status: ['open', 'duplicate'],
      category: ['rockfall'],
      limit: 500,
      format: 'geojson',
    });
    expect(fieldsOf(hazardsQuerySchema, { cursor: 'bm90IGEgY3Vyc29y' })).toEqual(['cursor']);
  });

  it.each([
    [hazardsQuerySchema, 'bbox', '1.6,42.4,1.4,42.6'],
    [hazardsQuerySchema, 'status', 'closed'],
    [hazardsQuerySchema, 'category', 'meteor'],
    [hazardsQuerySchema, 'limit', '5001'],
    [hazardsQuerySchema, 'format', 'json'],
    [hazardsWithinQuerySchema, 'bbox', '1.4,42.4,1.6,42.6'],
    [accidentsQuerySchema, 'bbox', '1.6,42.6,1.4,42.4'],
    [accidentsQuerySchema, 'from', 'yesterday'],
    [accidentsQuerySchema, 'limit', '999999'],
    [unmatchedQuerySchema, 'format', 'kml'],
    [unmatchedQuerySchema, 'limit', '501'],
    [effectivenessQuerySchema, 'countermeasure', 'prayer'],
    [effectivenessQuerySchema, 'format', 'geojson'],
    [effectivenessQuerySchema, 'region', 'x'],
    [effectivenessSitesQuerySchema, 'verifiedTo', '31/12/2025'],
  ])('names a bad %#: %s', (schema, name, value) => {
    expect(fieldsOf(schema as z.ZodType, { [name]: value })).toEqual([name]);
  });

  it('refuses a period that ends before it starts, naming from', () => {
    expect(fieldsOf(accidentsQuerySchema, { from: '2026-02-01', to: '2026-01-01' })).toEqual(['from']);
    expect(parseOrThrow(accidentsQuerySchema, { from: '2026-01-01', to: '2026-02-01T00:00:00+01:00' }).to).toEqual(new Date('2026-01-31T23:00:00Z'));
  });

  it('filters hazards by when they were reported', () => {
    expect(parseOrThrow(hazardsQuerySchema, { from: '2026-01-01', to: '2026-02-01T00:00:00+01:00' })).toMatchObject({
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-31T23:00:00Z'),
    });
    expect(fieldsOf(hazardsQuerySchema, { from: '2026-02-01', to: '2026-01-01' })).toEqual(['from']);
    expect(fieldsOf(hazardsWithinQuerySchema, { to: 'tomorrow' })).toEqual(['to']);
  });
});

describe('effectiveness queries', () => {
  it('filters by countermeasure, jurisdiction and verification period', () => {
    expect(parseOrThrow(effectivenessQuerySchema, { countermeasure: 'guardrail,warning_sign', jurisdiction: 'ad-02', verifiedFrom: '2025-01-01' })).toEqual({
      countermeasure: ['guardrail', 'warning_sign'], jurisdiction: 'ad-02', verifiedFrom: new Date('2025-01-01T00:00:00Z'), format: 'json',
    });
  });
  it('refuses verifiedFrom after verifiedTo', () => {
    expect(fieldsOf(effectivenessSitesQuerySchema, { verifiedFrom: '2026-01-02', verifiedTo: '2026-01-01' })).toEqual(['verifiedFrom']);
  });
});
