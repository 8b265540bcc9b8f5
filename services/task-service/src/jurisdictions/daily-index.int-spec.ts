import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AppError } from '@roadloop/core';
import { Harness, accidentEvent, box, hazardEvent, openHarness, profileEvent } from '../testing/harness';
import { indexCsv, indexGeoJson } from './daily-index.format';
import { DailyIndexService, FREEZE_CATCH_UP_DAYS } from './daily-index.service';

jest.setTimeout(60_000);

describe(DailyIndexService.name, () => {
  let h: Harness;
  const itemOf = async (id: string, date?: string) => (await h.daily.forDay(date)).items.find((i) => i.jurisdictionId === id)!;

  beforeAll(async () => {
    h = await openHarness('daily');
    h.clock.current = new Date('2026-11-25T08:00:00Z');
    await h.areas.put('busy', 'Busy township', box(30, 10, 30.1, 10.1));
    await h.areas.put('quiet', 'Quiet township', box(30.2, 10, 30.3, 10.1));
    for (let i = 0; i < 4; i++) {
      const id = `busy-${i}`;
      await h.intake.onSegmentProfile(profileEvent(id, [[30.01 + i * 0.02, 10.05], [30.015 + i * 0.02, 10.05]], { lengthM: 2500 }));
      await h.intake.onReportMatched(hazardEvent(id, { category: 'rockfall', severity: 'critical', reportedAt: '2026-11-25T07:30:00Z' }));
    }
    await h.intake.onReportMatched(accidentEvent('busy-0', { occurredAt: '2026-11-25T06:00:00Z', deaths: 1, seriousInjuries: 1 }));
    await h.intake.onSegmentProfile(profileEvent('quiet-0', [[30.25, 10.05], [30.255, 10.05]], { lengthM: 10_000 }));
  });
  afterAll(async () => h.close());

  it('bands a jurisdiction with many open hazards and overdue tasks worse than a quiet one, with the reasons of its status', async () => {
    // Two days later the p1 tasks (24 h) are overdue and still unassigned (no crews).
    h.clock.current = new Date('2026-11-27T09:00:00Z');
    const report = await h.daily.forDay();
    expect(report.date).toBe('2026-11-27');
    expect(report.method.indicators.map((d) => d.name)).toContain('overdueTasks');
    const busy = report.items.find((i) => i.jurisdictionId === 'busy')!;
    const quiet = report.items.find((i) => i.jurisdictionId === 'quiet')!;
    expect(quiet).toMatchObject({ name: 'Quiet township', index: 0, band: 'green', status: 'green', statusReasons: ['no open tasks'], frozen: false });
    expect(busy.indicators).toMatchObject({
      openHazards: { value: 4, normalised: 0.4 },
      newHazards: { value: 0, normalised: 0 },
      crashes30d: { value: 1, normalised: 0.2 },
      deathsSerious30d: { value: 2, normalised: expect.closeTo(0.6667, 3) },
      overdueTasks: { value: 4, normalised: 0.8 },
      // The four rockfall tasks and the site investigation the fatal crash opened (due in a week, not overdue).
      unassignedTasks: { value: 5, normalised: 1 },
      redSegmentsPer100km: { value: 0, normalised: 0 },
    });
    expect(busy.index!).toBeGreaterThan(25);
    expect(['yellow', 'orange', 'red']).toContain(busy.band);
    expect(busy).toMatchObject({ status: 'red', source: 'live', frozen: false });
    expect(busy.statusReasons[0]).toMatch(/^4 tasks of priority p1 overdue$/);
  });

  it('writes nothing on a read, whatever day is asked; only the recorder stores rows', async () => {
    const stored = async () => Number(((await h.ds.query('SELECT count(*) AS n FROM daily_index')) as { n: string }[])[0].n);
    await h.daily.forDay();
    await h.daily.forDay('2026-11-20');
    await h.daily.history('busy', '2026-06-01', '2026-11-27');
    expect(await stored()).toBe(0);
    // Today live, and the last week's ended days frozen, for both townships.
    expect(await h.daily.record()).toEqual({ live: 2, frozen: 2 * FREEZE_CATCH_UP_DAYS });
    expect(await h.daily.record()).toEqual({ live: 2, frozen: 0 });
    expect(await stored()).toBe(2 * (FREEZE_CATCH_UP_DAYS + 1));
  });

  it('freezes the day that ended when the recorder runs next, keeping that day\'s live "as of now" indicators', async () => {
    h.clock.current = new Date('2026-11-28T07:00:00Z');
    // Not frozen yet: computed on read from the facts and the live row recorded that day.
    expect(await itemOf('busy', '2026-11-27')).toMatchObject({ frozen: false, source: 'live' });
    await h.daily.record();
    const yesterday = await itemOf('busy', '2026-11-27');
    expect(yesterday).toMatchObject({ date: '2026-11-27', frozen: true, source: 'live', asOf: '2026-11-27T23:59:59.999Z' });
    expect(yesterday.indicators.unassignedTasks.value).toBe(5);
    // A late report dated that day does not change the frozen report.
    await h.intake.onReportMatched(hazardEvent('busy-1', { category: 'flooded_road', severity: 'low', reportedAt: '2026-11-27T12:00:00Z' }));
    expect(await itemOf('busy', '2026-11-27')).toEqual(yesterday);
    expect((await itemOf('busy')).indicators.openHazards.value).toBe(5);
  });

  it('rebuilds the days before the first stored row from timestamped facts, leaving out what is known only live', async () => {
    const history = await h.daily.history('busy', '2026-11-23', '2026-11-28');
    expect(history.items.map((i) => i.date)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28']);
    const [d23, , d25, d26] = history.items;
    expect(d23).toMatchObject({ index: 0, band: 'green', source: 'rebuilt', frozen: true, status: 'green' });
    expect(d25.indicators.newHazards.value).toBe(4);
    expect(d25.indicators.unassignedTasks).toEqual({ value: null, normalised: null });
    expect(d25.indicators.redSegmentsPer100km).toEqual({ value: null, normalised: null });
    // Created on the 25th at 08:00 with a 24 h SLA: due soon at the end of the 25th, overdue at the end of the 26th;
    // the fatal crash's site investigation (168 h) is open but neither.
    expect(d25.workload).toEqual({ open: 5, overdue: 0, overdueP1: 0, dueSoon: 4 });
    expect(d25.status).toBe('yellow');
    expect(d26.workload).toMatchObject({ overdue: 4, overdueP1: 4 });
    expect(d26.index!).toBeGreaterThan(d25.index!);
    expect(history.items[5]).toMatchObject({ source: 'live', frozen: false });
  });

  it('refuses a day after today, naming the parameter', async () => {
    await expect(h.daily.forDay('2026-11-29')).rejects.toMatchObject({ kind: 'invalid', fields: [{ field: 'date' }] } as Partial<AppError>);
    await expect(h.daily.history('busy', '2026-11-20', '2026-12-01')).rejects.toMatchObject({ fields: [{ field: 'to' }] });
    await expect(h.daily.history('nowhere')).rejects.toMatchObject({ code: 'JURISDICTION_NOT_FOUND' });
  });

  it('refuses a day older than DAILY_INDEX_MAX_AGE_DAYS, naming the parameter', async () => {
    await expect(h.daily.forDay('0001-01-01')).rejects.toMatchObject({ kind: 'invalid', fields: [{ field: 'date' }] } as Partial<AppError>);
    await expect(h.daily.history('busy', '2020-01-01', '2020-12-31')).rejects.toMatchObject({ kind: 'invalid', fields: [{ field: 'to' }] });
    await expect(h.daily.history('busy', '2024-11-01', '2025-06-01')).rejects.toMatchObject({ kind: 'invalid', fields: [{ field: 'from' }] });
  });

  it('draws the report on simplified jurisdiction outlines, and writes it as CSV', async () => {
    const report = await h.daily.forDay();
    const geo = indexGeoJson(report, await h.daily.outlines());
    expect(geo.features.map((f) => [f.id, f.geometry && (f.geometry as { type: string }).type])).toEqual([
      ['busy', 'MultiPolygon'],
      ['quiet', 'MultiPolygon'],
    ]);
    expect(geo.features[0].properties).toMatchObject({ jurisdictionId: 'busy', band: expect.any(String), status: 'red' });
    const [header, ...lines] = indexCsv(report.items).trimEnd().split('\r\n');
    expect(header.split(',').slice(0, 7)).toEqual(['date', 'jurisdictionId', 'name', 'index', 'band', 'status', 'newHazards']);
    expect(lines).toHaveLength(2);
  });

  it('counts a segment imported at the top exposure level as red before any live risk change', async () => {
    await h.areas.put('steep', 'Steep township', box(30.4, 10, 30.5, 10.1));
    await h.intake.onSegmentProfile(profileEvent('steep-0', [[30.45, 10.05], [30.455, 10.05]], { lengthM: 1000, exposureLevel: 'very_high' }));
    await h.intake.onSegmentProfile(profileEvent('steep-1', [[30.46, 10.05], [30.465, 10.05]], { lengthM: 1000, exposureLevel: 'high' }));
    // 1 red segment on 2 km of road.
    expect((await itemOf('steep')).indicators.redSegmentsPer100km).toEqual({ value: 50, normalised: 1 });
  });

  it('keeps the later of two recorders\' live rows, whichever writes last (two instances of the service record alike)', async () => {
    const today = '2026-11-28';
    const later = new Date('2026-11-28T15:00:00Z');
    const asOf = async () =>
      new Date(((await h.ds.query(`SELECT as_of FROM daily_index WHERE jurisdiction_id = 'busy' AND day = $1`, [today])) as { as_of: string }[])[0].as_of).toISOString();
    h.clock.current = later;
    await h.daily.record();
    expect(await asOf()).toBe(later.toISOString());
    // The other instance computed its row an hour earlier and writes it only now.
    h.clock.current = new Date(later.getTime() - 3_600_000);
    await h.daily.record();
    expect(await asOf()).toBe(later.toISOString());
  });
});
