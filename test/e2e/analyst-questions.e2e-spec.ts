import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { z } from 'zod';
import {
  EffectivenessMethod,
  SegmentDetail,
  apiErrorSchema,
  TaskChangedEvent,
  effectivenessSitesSchema,
  effectivenessSummarySchema,
  featureCollectionSchema,
  segmentDetailSchema,
  taskChangedTopic,
  topItemSchema,
  topListSchema,
  topicName,
} from '@roadloop/contracts';
import { RISK_MODEL, predictSegment, roadAttributesFrom } from '@roadloop/geo';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { REPO_ROOT, SAMPLE_DATA_DIR, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { RunningService, importSampleRegion, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas, query } from '../support/stores';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

/**
 * Water-side as the geospatial engine defines it (its summary counts 1,053 such segments in
 * Andorra): water within 30 m, not in a tunnel. The engine's `waterSide` attribute alone only says
 * on which side the nearest water within 500 m lies.
 */
const WATER_SIDE = `((s.attributes->>'waterDistanceM')::float8 <= 30 AND NOT COALESCE((s.attributes->>'tunnel')::boolean, false))`;

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.25;

interface Site {
  id: string;
  lon: number;
  lat: number;
  side: 'left' | 'right';
  lengthM: number;
  roadClass: string;
  attributes: Record<string, unknown>;
  /** The risk model's predicted crashes per km-year of the site as built (SPF × CMFs). */
  predictedPerKmYear: number;
}
interface Plan {
  site: Site;
  taskId: string;
  before: Date[];
  older: Date[];
  after: Date[];
}

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The five levels' lower bounds as documented, in expected fatal and serious crashes per km-year. */
function levelOfScore(score: number): string {
  if (score < 0.02) return 'very_low';
  if (score < 0.06) return 'low';
  if (score < 0.16) return 'medium';
  if (score < 0.4) return 'high';
  return 'very_high';
}

/**
 * The Empirical Bayes before–after estimate (Hauer 1997), written out again from the method the
 * service describes, for an independent check of its numbers: per site P = N·L·years with N the
 * risk model's predicted crashes per km-year, w = 1/(1 + k·P) with k = 0.236 / L[mi] (HSM Eq. 10-7),
 * EB = w·P + (1 − w)·K_before, π = r·EB with
 * equal periods (r = 1), Var(π) = r²(1 − w)·EB; θ = (λ/π)/(1 + Var(π)/π²).
 */
function ebBeforeAfter(
  sites: { lengthM: number; predictedPerKmYear: number; years: number; before: number; after: number }[],
  thresholds: EffectivenessMethod,
) {
  const estimates = sites.map((s) => {
    const predicted = (s.predictedPerKmYear * s.lengthM * s.years) / 1000;
    const k = RISK_MODEL.spf.overdispersionMiles / (s.lengthM / 1609.344);
    const w = 1 / (1 + k * predicted);
    const eb = w * predicted + (1 - w) * s.before;
    return { expectedAfter: eb, variance: (1 - w) * eb };
  });
  const lambda = sites.reduce((a, s) => a + s.after, 0);
  const pi = estimates.reduce((a, e) => a + e.expectedAfter, 0);
  const varPi = estimates.reduce((a, e) => a + e.variance, 0);
  const perSite = estimates.map((e) => e.expectedAfter);
  if (sites.length < thresholds.minSites || pi < thresholds.minExpectedAfter || lambda === 0) {
    return { lambda, pi, perSite, verdict: 'insufficient_data', theta: null, stdErr: null, lo: null, hi: null };
  }
  const cv = varPi / (pi * pi);
  const theta = lambda / pi / (1 + cv);
  const stdErr = Math.sqrt((theta * theta * (1 / lambda + cv)) / ((1 + cv) * (1 + cv)));
  const lo = Math.max(0, theta - 1.959964 * stdErr);
  const hi = theta + 1.959964 * stdErr;
  const verdict = hi < 1 ? 'effective' : lo > 1 ? 'harmful' : 'no_evidence';
  return { lambda, pi, perSite, verdict, theta, stdErr, lo, hi };
}

/**
 * The analyst's questions on the real Andorra network (OpenStreetMap + SRTM), with the three built
 * services, the real broker, PostGIS and Redis, and the parishes as townships:
 * "which are the 20 most dangerous water-side segments in this township, why, and did last
 * quarter's guardrails reduce crashes?" — answered through the public gateway, checked against the
 * services' own tables and an independent before–after computation; and bad query parameters are
 * refused with 400s that name the parameter.
 */
describe('analyst questions on the Andorra network', () => {
  const id = runId('aq');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const common = {
    ...isolatedEnv(id),
    PROFILE_RELAY_MS: '200',
    OUTBOX_POLL_MS: '100',
    // Only this scenario's verified guardrails are in the history; the import-time rule is tested elsewhere.
    MANDATORY_PROTECTION_ENABLED: 'false',
    ...E2E_AUTH_ENV,
  };
  const tokens = {
    analyst: bearer('analyst', 'ana'),
    police: bearer('dispatcher', 'police-system'),
  };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let kafka: Kafka | undefined;
  let producer: Producer | undefined;
  let tmp: string | undefined;
  let parishes: { id: string; name: string }[] = [];
  /** The township the analyst asks about: the parish with the most water-side segments. */
  let township: { id: string; name: string };
  let plans: Plan[] = [];

  const R = (table: string) => `"${schemas.risk}".${table}`;
  const T = (table: string) => `"${schemas.task}".${table}`;

  beforeAll(async () => {
    const imported = importSampleRegion({ ...common, DB_SCHEMA: schemas.risk });
    expect(imported.stdout).toMatch(/imported 6058 of 6058 segments/);

    // The parishes (OSM admin level 7) as jurisdictions, the way `npm start` loads them.
    tmp = mkdtempSync(join(tmpdir(), 'roadloop-analyst-'));
    const areas = join(tmp, 'parishes.geojson');
    const boundaries = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'libs/geo/bin/roadloop-geo.js'), 'boundaries', '--osm', join(SAMPLE_DATA_DIR, 'andorra.osm.pbf'), '--admin-level', '7', '--out', areas],
      { encoding: 'utf8' },
    );
    expect(boundaries.status).toBe(0);
    parishes = (JSON.parse(readFileSync(areas, 'utf8')) as { features: { properties: { id: string; name: string } }[] }).features.map((f) => ({
      id: f.properties.id,
      name: f.properties.name,
    }));
    expect(parishes.map((p) => p.id)).toEqual(expect.arrayContaining(['andorra-la-vella', 'escaldes-engordany', 'encamp']));
    const loaded = runServiceCli('task-service', ['jurisdictions', '--geojson', areas], { ...common, DB_SCHEMA: schemas.task });
    expect(loaded.stdout).toMatch(new RegExp(`loaded ${parishes.length} of ${parishes.length} jurisdictions`));

    const stack = await startStack(common, schemas);
    services.push(...stack.all);
    gateway = stack.gateway;

    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();

    // Segment profiles go risk → task; the task service places each segment in its parish and
    // announces it through its outbox; the risk service keeps that as its read model.
    await waitFor(
      'the task service to place every imported segment',
      async () => {
        const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${T('segment_ref')}`);
        return n === 6058 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await waitFor(
      'the risk service to know every segment’s jurisdiction',
      async () => {
        const [row] = await query<{ placed: number; mirrored: number }>(
          `SELECT count(*)::int AS placed,
                  count(*) FILTER (WHERE r.jurisdiction_id IS NOT DISTINCT FROM t.jurisdiction_id
                                     AND r.jurisdiction_name IS NOT DISTINCT FROM t.jurisdiction_name)::int AS mirrored
             FROM ${T('segment_jurisdiction')} t LEFT JOIN ${R('segment_jurisdiction')} r USING (segment_id)`,
        );
        return row.placed > 0 && row.mirrored === row.placed ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const perParish = await query<{ id: string; n: number }>(
      `SELECT jurisdiction_id AS id, count(*)::int AS n FROM ${T('segment_jurisdiction')} WHERE jurisdiction_id IS NOT NULL GROUP BY 1`,
    );
    expect(perParish.map((p) => p.id).sort()).toEqual(parishes.map((p) => p.id).sort());
    // …and through the API: each parish's ranking facet holds all its segments.
    for (const p of perParish) {
      await waitFor(`the ranking of ${p.id} to hold its segments`, async () => {
        const res = await fetch(`${gateway.url}/v1/segments/top?jurisdiction=${p.id}&limit=1000`, { headers: { authorization: tokens.analyst } });
        const body = topListSchema.parse(await res.json());
        return res.status === 200 && body.items.length === Math.min(1000, p.n) ? true : undefined;
      });
    }

    // The township with the most water-side segments.
    const [busiest] = await query<{ id: string; name: string; n: number }>(
      `SELECT j.jurisdiction_id AS id, j.jurisdiction_name AS name, count(*)::int AS n
         FROM ${R('segment_jurisdiction')} j JOIN ${R('road_segment')} s ON s.id = j.segment_id
        WHERE ${WATER_SIDE} AND j.jurisdiction_id IS NOT NULL
        GROUP BY 1, 2 ORDER BY n DESC, id LIMIT 1`,
    );
    expect(busiest.n).toBeGreaterThan(40);
    township = { id: busiest.id, name: busiest.name };
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const get = (path: string, token = tokens.analyst) => fetch(`${gateway.url}${path}`, { headers: { authorization: token } });
  /** A JSON answer, checked against the response schema the API documents. */
  const getJson = async <S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> => {
    const res = await get(path);
    expect(res.status).toBe(200);
    return schema.parse(await res.json());
  };
  const badFields = async (res: Response) => {
    expect(res.status).toBe(400);
    const body = apiErrorSchema.parse(await res.json());
    expect(body.statusCode).toBe(400);
    for (const f of body.fields ?? []) expect(f.message.length).toBeGreaterThan(0);
    return (body.fields ?? []).map((f) => f.field);
  };

  it('answers whether last quarter’s guardrails reduced crashes, from crashes and verifications that went through the API and the broker', async () => {
    // Last calendar quarter, and a verification date about 2–3 months ago inside it.
    const now = new Date();
    const quarterStart = Date.UTC(now.getUTCFullYear(), 3 * Math.floor(now.getUTCMonth() / 3), 1);
    const lastQuarterStart = Date.UTC(now.getUTCFullYear(), 3 * Math.floor(now.getUTCMonth() / 3) - 3, 1);
    const verifiedAt = new Date(Math.min(quarterStart - DAY_MS, Math.max(lastQuarterStart + DAY_MS, now.getTime() - 75 * DAY_MS)));
    const verifiedFrom = new Date(lastQuarterStart).toISOString();
    const verifiedTo = new Date(quarterStart - 1).toISOString();
    const afterDays = (now.getTime() - verifiedAt.getTime()) / DAY_MS;
    expect(afterDays).toBeGreaterThanOrEqual(75);

    // Four segments of the township right beside water (within the mandatory-protection distance),
    // not bridges or tunnels, with no other road within 30 m of their middle (a crash there is theirs).
    const sites = await query<Site>(
      `SELECT s.id, ST_X(m.p) AS lon, ST_Y(m.p) AS lat, s.attributes->>'waterSide' AS side, s.length_m AS "lengthM", s.road_class AS "roadClass", s.attributes
         FROM ${R('road_segment')} s
         JOIN ${R('segment_jurisdiction')} j ON j.segment_id = s.id
         CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(s.geom, 0.5) AS p) m
        WHERE j.jurisdiction_id = $1 AND s.attributes->>'waterSide' IN ('left', 'right')
          AND (s.attributes->>'waterDistanceM')::float <= 20
          AND NOT (s.attributes->>'bridge')::boolean AND NOT (s.attributes->>'tunnel')::boolean
          AND s.length_m >= 60
          AND NOT EXISTS (SELECT 1 FROM ${R('road_segment')} o WHERE o.id <> s.id AND ST_DWithin(o.geom::geography, m.p::geography, 30))
        ORDER BY s.exposure_score DESC, s.id LIMIT 4`,
      [township.id],
    );
    expect(sites).toHaveLength(4);

    // History: 12 crashes per site in the 2 months before verification, one more 13–16 months
    // before (outside the equal-length before period the method compares), and after
    // verification 2 crashes in all. The before period is as long as the after period
    // (verification → now), so only crashes since `verifiedAt − afterDays` count as "before".
    plans = sites.map((site, i) => ({
      site: {
        ...site,
        lengthM: Number(site.lengthM),
        predictedPerKmYear: predictSegment(roadAttributesFrom(site.roadClass, Number(site.lengthM), site.attributes)).predictedPerKmYear,
      },
      taskId: randomUUID(),
      before: Array.from({ length: 12 }, (_, j) => new Date(verifiedAt.getTime() - (3 + 5 * j) * DAY_MS - (i + 1) * 3_600_000)),
      older: [new Date(verifiedAt.getTime() - (400 + 30 * i) * DAY_MS)],
      after: i < 2 ? [new Date(verifiedAt.getTime() + (20 + 20 * i) * DAY_MS)] : [],
    }));
    for (const plan of plans) for (const d of plan.before) expect(verifiedAt.getTime() - d.getTime()).toBeLessThan((afterDays - 5) * DAY_MS);

    let n = 0;
    for (const plan of plans) {
      for (const at of [...plan.older, ...plan.before, ...plan.after]) {
        const kind = n++ % 3;
        const res = await fetch(`${gateway.url}/v1/accidents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: tokens.police },
          body: JSON.stringify({
            occurredAt: at.toISOString(),
            lon: plan.site.lon,
            lat: plan.site.lat,
            deaths: 0,
            seriousInjuries: kind === 0 ? 1 : 0,
            slightInjuries: kind === 1 ? 2 : 0,
            propertyDamageOnly: kind === 2,
            vehicles: 1 + (n % 2),
            externalId: `${id}-crash-${n}`,
            light: kind === 0 ? 'dark_unlit' : 'daylight',
          }),
        });
        expect(res.status).toBe(202);
      }
    }

    // The inspector's verifications, as the task service's outbox published them at the time:
    // the envelope's occurredAt is the moment of verification.
    const events: TaskChangedEvent[] = plans.map((plan, i) =>
      taskChangedTopic.valueSchema.parse({
        eventId: randomUUID(),
        occurredAt: verifiedAt.toISOString(),
        schemaVersion: taskChangedTopic.schemaVersion,
        source: 'task-service',
        correlationId: `${id}-verify-${i}`,
        payload: {
          taskId: plan.taskId,
          segmentId: plan.site.id,
          change: 'verified',
          status: 'verified',
          previousStatus: 'submitted',
          countermeasure: 'guardrail',
          side: plan.site.side,
          priority: 'p1',
          hazardIds: [],
          jurisdictionId: township.id,
          crewId: `${township.id}-crew`,
          actor: { role: 'inspector', id: 'ivan' },
          reason: null,
          fixFailed: false,
          dueAt: new Date(verifiedAt.getTime() + 10 * DAY_MS).toISOString(),
          version: 7,
        },
      }),
    );
    await producer!.send({
      topic: topicName(taskChangedTopic, id),
      messages: events.map((e) => ({ key: taskChangedTopic.key(e), value: JSON.stringify(e) })),
    });

    // Every crash placed on its segment, and every verification recorded with its own time.
    for (const plan of plans) {
      const expected = plan.before.length + plan.older.length + plan.after.length;
      const detail = await waitFor(
        `${plan.site.id}: ${expected} crashes and the verified guardrail`,
        async () => {
          const d = (await (await get(`/v1/segments/${plan.site.id}`)).json()) as SegmentDetail;
          return d.crashes?.length === expected && d.verifiedCountermeasures?.some((v) => v.taskId === plan.taskId) ? d : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(detail.verifiedCountermeasures.find((v) => v.taskId === plan.taskId)).toEqual(
        expect.objectContaining({ countermeasure: 'guardrail', verifiedAt: verifiedAt.toISOString() }),
      );
    }

    // The analyst's question, for the township's guardrails verified last quarter.
    const filter = `countermeasure=guardrail&verifiedFrom=${encodeURIComponent(verifiedFrom)}&verifiedTo=${encodeURIComponent(verifiedTo)}`;
    const summary = await getJson(`/v1/effectiveness?${filter}`, effectivenessSummarySchema);
    expect(summary.countermeasures.map((c) => c.countermeasure)).toEqual(['guardrail']);
    const guardrail = summary.countermeasures[0];
    const beforeTotal = plans.reduce((a, p) => a + p.before.length, 0);
    const afterTotal = plans.reduce((a, p) => a + p.after.length, 0);
    expect(guardrail).toMatchObject({ sites: 4, beforeCrashes: beforeTotal, afterCrashes: afterTotal });
    expect(beforeTotal).toBe(48);
    expect(afterTotal).toBe(2);

    // The same numbers, computed here from what was posted (periods end at the answer's asOf).
    const years = (Date.parse(summary.asOf) - verifiedAt.getTime()) / DAY_MS / YEAR_DAYS;
    expect(years * YEAR_DAYS).toBeGreaterThanOrEqual(summary.method.minAfterDays);
    expect(guardrail.beforeYears).toBeCloseTo(4 * years, 3);
    expect(guardrail.afterYears).toBeCloseTo(4 * years, 3);
    const oracle = ebBeforeAfter(
      plans.map((p) => ({ lengthM: p.site.lengthM, predictedPerKmYear: p.site.predictedPerKmYear, years, before: p.before.length, after: p.after.length })),
      summary.method,
    );
    expect(guardrail.expectedAfterWithoutTreatment).toBeCloseTo(oracle.pi, 3);
    expect(guardrail.verdict).toBe(oracle.verdict);
    if (oracle.theta === null) {
      expect(guardrail).toMatchObject({ oddsRatio: null, ci95: null, effectivenessPct: null });
      expect(guardrail.note.length).toBeGreaterThan(0);
    } else {
      expect(guardrail.oddsRatio).toBeCloseTo(oracle.theta, 3);
      expect(guardrail.oddsRatioStdErr).toBeCloseTo(oracle.stdErr!, 3);
      expect(guardrail.ci95![0]).toBeCloseTo(oracle.lo!, 3);
      expect(guardrail.ci95![1]).toBeCloseTo(oracle.hi!, 3);
      expect(guardrail.effectivenessPct).toBeCloseTo(100 * (1 - oracle.theta), 1);
      // Two crashes where several would have been expected: crashes fell.
      expect(guardrail.effectivenessPct!).toBeGreaterThan(0);
      if (oracle.verdict === 'effective') expect(guardrail.note).toMatch(/fell/);
    }

    // Site by site: exactly those tasks, with their own counts.
    const list = await getJson(`/v1/effectiveness/sites?${filter}`, effectivenessSitesSchema);
    expect(list.sites.map((s) => s.taskId).sort()).toEqual(plans.map((p) => p.taskId).sort());
    for (const [i, plan] of plans.entries()) {
      const row = list.sites.find((s) => s.taskId === plan.taskId)!;
      expect(row).toMatchObject({
        segmentId: plan.site.id,
        countermeasure: 'guardrail',
        verifiedAt: verifiedAt.toISOString(),
        fixFailed: false,
        jurisdictionId: township.id,
        beforeCrashes: plan.before.length,
        afterCrashes: plan.after.length,
        included: true,
      });
      expect(row.windowDays).toBeGreaterThanOrEqual(afterDays - 0.01);
      expect(row.ebExpectedAfter).toBeCloseTo(oracle.perSite[i], 3);
    }
    // Also per township: the same answer.
    const local = await getJson(`/v1/effectiveness?${filter}&jurisdiction=${township.id}`, effectivenessSummarySchema);
    expect(local.countermeasures[0]).toMatchObject({ countermeasure: 'guardrail', sites: 4, beforeCrashes: 48, afterCrashes: 2, verdict: guardrail.verdict });

    // This quarter nothing was verified: no sites, and the answer says there is not enough data.
    const thisQuarter = await getJson(`/v1/effectiveness?countermeasure=guardrail&verifiedFrom=${encodeURIComponent(new Date(quarterStart).toISOString())}`, effectivenessSummarySchema);
    expect(thisQuarter.countermeasures).toEqual([
      expect.objectContaining({ countermeasure: 'guardrail', sites: 0, beforeCrashes: 0, afterCrashes: 0, verdict: 'insufficient_data', oddsRatio: null }),
    ]);
    expect(thisQuarter.countermeasures[0].note).toMatch(new RegExp(`at least ${summary.method.minSites}`));
  });

  it('lists the 20 most dangerous water-side segments of the township, explains each score, and exports the same list as CSV and GeoJSON', async () => {
    const reference = () =>
      query<{ segment_id: string; score: number; level: string; jurisdiction_name: string }>(
        `SELECT r.segment_id, r.score, r.level, j.jurisdiction_name
           FROM ${R('segment_risk')} r
           JOIN ${R('road_segment')} s ON s.id = r.segment_id
           JOIN ${R('segment_jurisdiction')} j ON j.segment_id = r.segment_id
          WHERE j.jurisdiction_id = $1 AND ${WATER_SIDE}
          ORDER BY r.score DESC, r.segment_id COLLATE "C" DESC
          LIMIT 20`,
        [township.id],
      );
    const path = `/v1/segments/top?jurisdiction=${township.id}&side=water&limit=20`;
    // The ranking follows the risk as it was last re-scored (crashes and fixes above included).
    const { list, expected } = await waitFor(
      'the ranking to agree with the stored risk',
      async () => {
        const want = await reference();
        const got = await getJson(path, topListSchema);
        const same = got.items.length === want.length && got.items.every((it, i) => it.segmentId === want[i].segment_id && it.score === Number(want[i].score));
        return same ? { list: got, expected: want } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(expected).toHaveLength(20);
    const items = list.items;
    expect(items.map((it) => it.rank)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (let i = 1; i < items.length; i++) expect(items[i].score).toBeLessThanOrEqual(items[i - 1].score);
    for (const [i, it] of items.entries()) {
      expect(['left', 'right', 'both']).toContain(it.waterSide);
      expect(it.jurisdictionId).toBe(township.id);
      expect(it.jurisdictionName).toBe(township.name);
      expect(it.level).toBe(expected[i].level);
      expect(it.level).toBe(levelOfScore(it.score));
      // Why: the factors the score is made of, multiplying to it (each is rounded to 4 significant digits).
      expect(it.factors.length).toBeGreaterThan(0);
      expect(it.factors[0].factor).toBe('traffic');
      expect(it.factors[it.factors.length - 1].factor).toBe('severity');
      const product = it.factors.reduce((a, f) => a * f.value, 1);
      expect(Math.abs(product - it.score)).toBeLessThanOrEqual(it.score * 0.0005 * it.factors.length + 1e-6);
    }
    // The segments with last quarter's crashes and guardrails are explained by both.
    const treated = items.filter((it) => plans.some((p) => p.site.id === it.segmentId));
    expect(treated.length).toBeGreaterThan(0);
    for (const it of treated) {
      expect(it.factors.map((f) => f.factor)).toEqual(expect.arrayContaining(['traffic', 'roadside', 'crashes']));
      expect(it.factors.find((f) => f.factor === 'roadside')!.detail).toMatch(/guardrail/);
    }
    // The leader's detail gives the same explanation.
    const leader = await getJson(`/v1/segments/${items[0].segmentId}`, segmentDetailSchema);
    expect(leader.risk?.score).toBe(items[0].score);
    expect(leader.risk?.factors).toEqual(items[0].factors);
    expect(leader.jurisdictionId).toBe(township.id);

    // CSV of the same question: the same rows in the same order.
    const csvRes = await get(`${path}&format=csv`);
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await csvRes.text());
    expect(header).toEqual(['rank', 'segmentId', 'score', 'level', 'alarm', 'roadClass', 'name', 'jurisdictionId', 'jurisdictionName', 'waterSide', 'cliffSide', 'lengthM', 'wkt']);
    expect(rows).toHaveLength(20);
    const col = (name: string) => header.indexOf(name);
    rows.forEach((row, i) => {
      expect(row).toHaveLength(header.length);
      expect(Number(row[col('rank')])).toBe(items[i].rank);
      expect(row[col('segmentId')]).toBe(items[i].segmentId);
      expect(Number(row[col('score')])).toBe(items[i].score);
      expect(row[col('level')]).toBe(items[i].level);
      expect(row[col('jurisdictionId')]).toBe(township.id);
      expect(row[col('waterSide')]).toBe(items[i].waterSide);
      expect(row[col('name')]).toBe(items[i].name ?? '');
      expect(row[col('wkt')]).toMatch(/^LINESTRING\(/);
    });

    // GeoJSON of the same question: the same features in the same order, with their lines.
    const geo = await getJson(`${path}&format=geojson`, featureCollectionSchema(topItemSchema));
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.features.map((f) => f.id)).toEqual(items.map((it) => it.segmentId));
    geo.features.forEach((f, i) => {
      expect(f.geometry?.type).toBe('LineString');
      expect(f.geometry?.coordinates?.length).toBeGreaterThanOrEqual(2);
      expect(f.properties).toMatchObject({ rank: i + 1, segmentId: items[i].segmentId, score: items[i].score, jurisdictionId: township.id, waterSide: items[i].waterSide });
    });
  });

  it('refuses bad query parameters with 400s naming the parameter', async () => {
    const inverted = '1.6,42.5,1.5,42.55';
    expect(await badFields(await get(`/v1/segments?bbox=${inverted}`))).toEqual(['bbox']);
    expect(await badFields(await get(`/v1/hazards?bbox=${inverted}`))).toEqual(['bbox']);
    expect(await badFields(await get('/v1/segments?bbox=1.5,42.55,1.6,42.5'))).toEqual(['bbox']);

    const bowtie = { type: 'Polygon', coordinates: [[[1.5, 42.5], [1.6, 42.55], [1.6, 42.5], [1.5, 42.55], [1.5, 42.5]]] };
    const within = await fetch(`${gateway.url}/v1/segments/within`, {
      method: 'POST',
      headers: { authorization: tokens.analyst, 'content-type': 'application/json' },
      body: JSON.stringify(bowtie),
    });
    expect(await badFields(within)).toEqual(['geometry']);

    expect(await badFields(await get('/v1/segments/top?limit=100000'))).toEqual(['limit']);
    expect(await badFields(await get(`/v1/segments/top?jurisdiction=${township.id}&side=water&colour=red`))).toEqual(['colour']);
    expect(await badFields(await get('/v1/segments/top?side=river'))).toEqual(['side']);
    expect(await badFields(await get('/v1/segments/top?side=water,lava'))).toEqual(['side']);
    expect(await badFields(await get('/v1/effectiveness?countermeasure=guardrail&colour=red'))).toEqual(['colour']);
    expect(await badFields(await get('/v1/effectiveness/sites?colour=red'))).toEqual(['colour']);
    expect(await badFields(await get('/v1/effectiveness?countermeasure=moat'))).toEqual(['countermeasure']);
    expect(await badFields(await get('/v1/effectiveness?verifiedFrom=2026-10-01&verifiedTo=2026-07-01'))).toEqual(['verifiedFrom']);
    expect(await badFields(await get('/v1/effectiveness?verifiedTo=last-quarter'))).toEqual(['verifiedTo']);

    // A good question still gets its answer.
    expect((await get(`/v1/segments/top?jurisdiction=${township.id}&side=water&limit=20`)).status).toBe(200);
  });
});
