import { describe, expect, it } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { hotspotsQuerySchema, segmentsBboxQuerySchema, segmentsWithinQuerySchema, withinBodySchema } from './query-schemas';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('invalid');
    return (err as AppError).fields.map((f) => f.field);
  }
  throw new Error('expected a validation error');
}
const bboxQuery = (q: Record<string, string>) => () => parseOrThrow(segmentsBboxQuerySchema, q, 'query');

describe('segment query parsing', () => {
  it('parses a bbox with filters and defaults', () => {
    expect(
      parseOrThrow(segmentsBboxQuerySchema, { bbox: '1.4,42.4, 1.6,42.6', level: 'high', roadClass: 'primary', waterSide: 'true', cliffSide: 'false', simplify: '5' }),
    ).toEqual({ bbox: [1.4, 42.4, 1.6, 42.6], level: 'high', roadClass: 'primary', waterSide: true, cliffSide: false, simplify: 5, limit: 500, offset: 0, format: 'geojson' });
  });

  it.each([
    ['inverted', '1.6,42.4,1.4,42.6'],
    ['flat', '1.4,42.4,1.6,42.4'],
    ['three numbers', '1.4,42.4,1.6'],
    ['not numbers', '1.4,a,1.6,42.6'],
    ['empty part', '1.4,,1.6,42.6'],
    ['out of range', '1.4,42.4,181,42.6'],
    ['too large', '0,40,2,42'],
  ])('refuses a %s bbox, naming bbox', (_label, bbox) => {
    expect(fieldsOf(bboxQuery({ bbox }))).toEqual(['bbox']);
  });

  it('requires the bbox', () => {
    expect(fieldsOf(bboxQuery({}))).toEqual(['bbox']);
  });

  it.each([['100000'], ['5001'], ['0'], ['1.5'], ['x']])('refuses limit=%s, naming limit', (limit) => {
    expect(fieldsOf(bboxQuery({ bbox: '1.4,42.4,1.6,42.6', limit }))).toEqual(['limit']);
  });

  it('accepts the largest limit', () => {
    expect(parseOrThrow(segmentsBboxQuerySchema, { bbox: '1.4,42.4,1.6,42.6', limit: '5000' }).limit).toBe(5000);
  });

  it('refuses an unknown filter by its name', () => {
    expect(fieldsOf(bboxQuery({ bbox: '1.4,42.4,1.6,42.6', colour: 'red' }))).toEqual(['colour']);
    expect(fieldsOf(() => parseOrThrow(segmentsWithinQuerySchema, { bbox: '1,2,3,4' }, 'query'))).toEqual(['bbox']);
  });

  it.each([
    ['level', 'extreme'],
    ['roadClass', 'autobahn'],
    ['waterSide', 'yes'],
    ['offset', '-1'],
    ['simplify', '-3'],
    ['format', 'xml'],
  ])('refuses a bad %s', (name, value) => {
    expect(fieldsOf(bboxQuery({ bbox: '1.4,42.4,1.6,42.6', [name]: value }))).toEqual([name]);
  });
});

describe('polygon body parsing', () => {
  const square = { type: 'Polygon', coordinates: [[[1.5, 42.5], [1.6, 42.5], [1.6, 42.6], [1.5, 42.6], [1.5, 42.5]]] };
  it('accepts a closed Polygon and a MultiPolygon', () => {
    expect(parseOrThrow(withinBodySchema, { geometry: square }).geometry.type).toBe('Polygon');
    expect(parseOrThrow(withinBodySchema, { geometry: { type: 'MultiPolygon', coordinates: [square.coordinates] } }).geometry.type).toBe('MultiPolygon');
  });
  it('names geometry for an open ring, a line or a bad longitude', () => {
    const open = { type: 'Polygon', coordinates: [[[1.5, 42.5], [1.6, 42.5], [1.6, 42.6], [1.5, 42.6]]] };
    for (const g of [open, { type: 'LineString', coordinates: [[1, 2], [3, 4]] }, { type: 'Polygon', coordinates: [[[200, 1], [1, 1], [1, 2], [200, 1]]] }, null]) {
      const fields = fieldsOf(() => parseOrThrow(withinBodySchema, { geometry: g }));
      expect(fields.length).toBeGreaterThan(0);
      for (const f of fields) expect(f.startsWith('geometry')).toBe(true);
    }
  });
});

describe('hotspot query parsing', () => {
  it('has the HSM defaults', () => {
    expect(parseOrThrow(hotspotsQuerySchema, {})).toEqual({ windowM: 500, stepM: 100, limit: 20, years: 3, format: 'geojson' });
  });
  it('refuses a step longer than the window, naming stepM, and unknown parameters', () => {
    expect(fieldsOf(() => parseOrThrow(hotspotsQuerySchema, { windowM: '200', stepM: '300' }))).toEqual(['stepM']);
    expect(fieldsOf(() => parseOrThrow(hotspotsQuerySchema, { radius: '3' }))).toEqual(['radius']);
    expect(fieldsOf(() => parseOrThrow(hotspotsQuerySchema, { years: '0' }))).toEqual(['years']);
  });
  it('bounds the work to what an analyst needs, naming each parameter beyond it', () => {
    // The request that held the database for 18 s.
    expect(new Set(fieldsOf(() => parseOrThrow(hotspotsQuerySchema, { windowM: '10000', stepM: '10', years: '10', limit: '500' })))).toEqual(
      new Set(['windowM', 'stepM', 'limit', 'years']),
    );
    expect(fieldsOf(() => parseOrThrow(hotspotsQuerySchema, { windowM: '2000', stepM: '50' }))).toEqual(['stepM']);
    expect(parseOrThrow(hotspotsQuerySchema, { windowM: '2000', stepM: '100', years: '5', limit: '100' })).toMatchObject({ windowM: 2000, stepM: 100 });
  });
});
