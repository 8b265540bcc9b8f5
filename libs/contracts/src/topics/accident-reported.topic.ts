import { z } from 'zod';
import { defineTopic } from '../contract';
import { eventSchema, latSchema, lonSchema } from '../envelope';
import { storableString } from '../text';

const count = z.number().int().min(0).max(1000);

/** The fields of a crash report, before the consistency rules (see `accidentReportSchema`). */
export const accidentFieldsSchema = z.strictObject({
    accidentId: z.uuid(),
    /** The police system's own id; the same external id is never recorded twice. */
    externalId: storableString().min(1).max(100).optional(),
    /** When the crash happened (not when it was reported). */
    occurredAt: z.iso.datetime({ offset: true }),
    lon: lonSchema,
    lat: latSchema,
    deaths: count,
    seriousInjuries: count,
    slightInjuries: count,
    /** True for a crash with property damage only (then all casualty counts are 0). */
    propertyDamageOnly: z.boolean(),
    vehicles: z.number().int().min(1).max(200),
    weather: z.enum(['clear', 'rain', 'snow', 'fog', 'ice', 'wind', 'unknown']).optional(),
    light: z.enum(['daylight', 'dusk_dawn', 'dark_lit', 'dark_unlit', 'unknown']).optional(),
    description: storableString().max(2000).optional(),
});

type Casualties = { propertyDamageOnly: boolean; deaths: number; seriousInjuries: number; slightInjuries: number };

/** Casualty counts and the property-damage-only flag must agree. */
export function checkCasualties(a: Casualties, ctx: z.RefinementCtx): void {
  const casualties = a.deaths + a.seriousInjuries + a.slightInjuries;
  if (a.propertyDamageOnly && casualties > 0) {
    ctx.addIssue({ code: 'custom', path: ['propertyDamageOnly'], message: 'a property-damage-only crash has no casualties' });
  }
  if (!a.propertyDamageOnly && casualties === 0) {
    ctx.addIssue({ code: 'custom', path: ['propertyDamageOnly'], message: 'a crash with no casualties is property-damage-only' });
  }
}

export const accidentReportSchema = accidentFieldsSchema.superRefine(checkCasualties);
export type AccidentReport = z.infer<typeof accidentReportSchema>;

/** The most severe outcome of a crash, as used for severity weighting (EPDO). */
export type CrashSeverity = 'fatal' | 'serious' | 'slight' | 'pdo';

export function crashSeverityOf(a: Pick<AccidentReport, 'deaths' | 'seriousInjuries' | 'slightInjuries'>): CrashSeverity {
  if (a.deaths > 0) return 'fatal';
  if (a.seriousInjuries > 0) return 'serious';
  if (a.slightInjuries > 0) return 'slight';
  return 'pdo';
}

/** `roadloop.accident.reported.v1`: a crash as received from the police system or over HTTP. */
export const accidentReportedTopic = defineTopic({
  topic: 'roadloop.accident.reported.v1',
  schemaVersion: 1,
  valueSchema: eventSchema(1, accidentReportSchema),
  key: (value) => value.payload.accidentId,
  defaultPartitions: 3,
  // Every crash report, forever: the risk service's crashes and scores are rebuilt from it.
  retention: 'history',
});
export type AccidentReportedEvent = z.infer<typeof accidentReportedTopic.valueSchema>;
