import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { putCrewSchema, putJurisdictionSchema } from './jurisdictions/jurisdiction.schema';
import { assignSchema, duplicateSchema, listQuerySchema, reasonSchema, reopenSchema, submitSchema, verifySchema } from './tasks/task-http.schema';

/** The fields a request names, when refused. */
function refused(schema: z.ZodType, input: unknown): { field: string; message: string }[] {
  try {
    parseOrThrow(schema, input);
  } catch (err) {
    if (err instanceof AppError) return err.fields;
    throw err;
  }
  return [];
}

const square = [[[1.5, 42.5], [1.51, 42.5], [1.51, 42.51], [1.5, 42.5]]];
const evidence = (over: { notes?: string; url?: string }) => ({
  evidence: {
    photos: [{ url: over.url ?? 'https://photos.example.org/a.jpg', sha256: 'ab'.repeat(32) }],
    position: { lon: 1.5, lat: 42.5, accuracyM: 5 },
    capturedAt: '2026-11-20T08:00:00Z',
    ...(over.notes === undefined ? {} : { notes: over.notes }),
  },
});

/** Every request field of the task service that takes free text, with a valid request around it. */
const TEXT_FIELDS: [string, z.ZodType, (text: string) => unknown, string][] = [
  ['GET /v1/tasks ?segmentId', listQuerySchema, (t) => ({ segmentId: t }), 'segmentId'],
  ['reopen reason', reopenSchema, (t) => ({ reason: t }), 'reason'],
  ['reject, cancel, unable-to-fix reason', reasonSchema, (t) => ({ reason: t }), 'reason'],
  ['assign reason', assignSchema, (t) => ({ crewId: 'crew-1', reason: t }), 'reason'],
  ['duplicate reason', duplicateSchema, (t) => ({ ofTaskId: '6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d', reason: t }), 'reason'],
  ['verify notes', verifySchema, (t) => ({ notes: t }), 'notes'],
  ['evidence notes', submitSchema, (t) => evidence({ notes: t }), 'evidence.notes'],
  ['evidence photo URL', submitSchema, (t) => evidence({ url: `https://photos.example.org/${t}.jpg` }), 'evidence.photos.0.url'],
  ['jurisdiction name', putJurisdictionSchema, (t) => ({ name: t, geometry: { type: 'Polygon', coordinates: square } }), 'name'],
  ['crew name', putCrewSchema, (t) => ({ name: t, jurisdictionId: 'west' }), 'name'],
];

describe('text PostgreSQL cannot store, in task service requests', () => {
  it.each(TEXT_FIELDS)('%s: accepts text, refuses a NUL or an unpaired surrogate naming the field', (_, schema, request, field) => {
    expect(refused(schema, request('Rail gone — bent post, 2 m'))).toEqual([]);
    for (const bad of ['x \u0000', 'x \ud800', '\udc00']) {
      expect(refused(schema, request(bad))).toEqual([{ field, message: 'must not contain NUL (U+0000) or unpaired UTF-16 surrogates' }]);
    }
  });
});
