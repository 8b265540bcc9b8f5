import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { AppError } from '@roadloop/core';
import { parseOrThrow } from '@roadloop/http';
import { accidentInputSchema } from './accidents/accident-input.schema';
import { hazardInputSchema } from './hazards/hazard-input.schema';

function refused(schema: z.ZodType, input: unknown): string[] {
  try {
    parseOrThrow(schema, input);
  } catch (err) {
    if (err instanceof AppError) return err.fields.map((f) => f.field);
    throw err;
  }
  return [];
}

const hazard = { category: 'rockfall', severity: 'high', lon: 1.5218, lat: 42.5063 };
const accident = { occurredAt: '2026-11-21T17:32:00+01:00', lon: 1.5806, lat: 42.5343, deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1 };

/** Every free-text field of the reports the gateway accepts, with a valid report around it. */
const TEXT_FIELDS: [string, z.ZodType, (text: string) => unknown, string][] = [
  ['hazard description', hazardInputSchema, (t) => ({ ...hazard, description: t }), 'description'],
  ['hazard reporter name', hazardInputSchema, (t) => ({ ...hazard, reporter: { name: t } }), 'reporter.name'],
  ['hazard reporter contact', hazardInputSchema, (t) => ({ ...hazard, reporter: { contact: t } }), 'reporter.contact'],
  ['hazard photo URL', hazardInputSchema, (t) => ({ ...hazard, photoUrls: [`https://photos.example.org/${t}.jpg`] }), 'photoUrls.0'],
  ['accident external id', accidentInputSchema, (t) => ({ ...accident, externalId: `AD-${t}` }), 'externalId'],
  ['accident description', accidentInputSchema, (t) => ({ ...accident, description: t }), 'description'],
];

describe('text PostgreSQL cannot store, in reports', () => {
  it.each(TEXT_FIELDS)('%s: accepts text, refuses a NUL or an unpaired surrogate naming the field', (_, schema, report, field) => {
    expect(refused(schema, report('Boulders — 2 m³'))).toEqual([]);
    for (const bad of ['x \u0000', 'x \ud800']) expect(refused(schema, report(bad))).toEqual([field]);
  });
});
