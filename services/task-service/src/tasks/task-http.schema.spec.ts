import { describe, expect, it } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { encodeTaskCursor, listQuerySchema } from './task-http.schema';

function problems(query: Record<string, string>): string[] {
  try {
    parseOrThrow(listQuerySchema, query, 'query');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).fields.map((f) => f.field);
  }
  return [];
}

describe('listQuerySchema', () => {
  it('reads several statuses, a box, the jurisdiction by its short name and the format', () => {
    expect(parseOrThrow(listQuerySchema, { status: 'assigned,created,assigned', bbox: '1.4, 42.4,1.8,42.7', jurisdiction: 'west', format: 'geojson' })).toEqual({
      status: ['assigned', 'created'],
      bbox: [1.4, 42.4, 1.8, 42.7],
      jurisdictionId: 'west',
      format: 'geojson',
      limit: 50,
      offset: 0,
    });
  });

  it('keeps the older single-status and jurisdictionId queries working', () => {
    expect(parseOrThrow(listQuerySchema, { status: 'verified', jurisdictionId: 'east', limit: '500' })).toMatchObject({
      status: ['verified'],
      jurisdictionId: 'east',
      limit: 500,
      format: 'json',
    });
  });

  it('turns a cursor it issued back into its position', () => {
    const cursor = encodeTaskCursor({ createdAtUs: '1795766400123456', id: '6f1c1b8e-3a3c-4c1e-9d55-0f7a4c0f0c11' });
    expect(parseOrThrow(listQuerySchema, { cursor }).cursor).toEqual({ createdAtUs: '1795766400123456', id: '6f1c1b8e-3a3c-4c1e-9d55-0f7a4c0f0c11' });
  });

  it.each([
    [{ bbox: '1.8,42.4,1.4,42.7' }, ['bbox']],
    [{ bbox: '1.4,42.7,1.8,42.4' }, ['bbox']],
    [{ bbox: '1.4,42.4,1.8' }, ['bbox']],
    [{ bbox: '1.4,42.4,181,42.7' }, ['bbox']],
    [{ bbox: 'a,b,c,d' }, ['bbox']],
    [{ status: 'assigned,fixed' }, ['status']],
    [{ status: '' }, ['status']],
    [{ colour: 'red' }, ['colour']],
    [{ limit: '1001' }, ['limit']],
    [{ limit: '0' }, ['limit']],
    [{ format: 'kml' }, ['format']],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, ['cursor']],
    [{ cursor: encodeTaskCursor({ createdAtUs: '1', id: '6f1c1b8e-3a3c-4c1e-9d55-0f7a4c0f0c11' }), offset: '10' }, ['cursor']],
    [{ jurisdiction: 'west', jurisdictionId: 'east' }, ['jurisdiction']],
    [{ jurisdiction: '../etc' }, ['jurisdiction']],
  ])('refuses %o naming %o', (query, fields) => expect(problems(query)).toEqual(fields));
});
