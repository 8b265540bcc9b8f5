import { z } from 'zod';
import { isoDateSchema } from '../http-query';

/** Longest history served at once, in days. */
export const MAX_HISTORY_DAYS = 366;

export const indexQueryObject = z
  .object({
    /** The UTC day, `YYYY-MM-DD`; today when absent. */
    date: isoDateSchema.optional(),
    format: z.enum(['json', 'csv', 'geojson']).default('json'),
  })
  .strict();
export const indexQuerySchema = indexQueryObject;

export const historyQueryObject = z
  .object({
    /** First UTC day, `YYYY-MM-DD`; 29 days before `to` when absent. */
    from: isoDateSchema.optional(),
    /** Last UTC day, `YYYY-MM-DD`; today when absent. */
    to: isoDateSchema.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();
export const historyQuerySchema = historyQueryObject.superRefine((q, ctx) => {
  if (!q.from || !q.to) return;
  const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
  if (days < 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
  else if (days >= MAX_HISTORY_DAYS) ctx.addIssue({ code: 'custom', path: ['from'], message: `at most ${MAX_HISTORY_DAYS} days at once` });
});

/** UTC calendar days. */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);
export const dayStart = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
export const addDays = (day: string, n: number): string => utcDay(new Date(dayStart(day).getTime() + n * 86_400_000));
/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
