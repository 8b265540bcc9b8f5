import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { accidentReportedTopic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { REPO_ROOT, freePort, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

interface Feature {
  id: string;
  geometry: { type: string; coordinates: unknown[] };
  properties: Record<string, unknown>;
}
interface Collection {
  type: string;
  features: Feature[];
  page?: { limit: number; offset: number; returned: number };
}
interface Problem {
  fields: { field: string }[];
}

/**
 * Map queries of the risk service against real PostGIS: segments in a box or a polygon with their
 * filters and paging, 400s that name the bad parameter, CSV export, and sliding-window hotspots that
 * put the road with crashes (produced as accident events on Kafka) first.
 */
describe('risk queries: bbox, polygon, hotspots and CSV', () => {
  const id = runId('rq');
  const schema = `rq_${id}`;
  const env = { ...isolatedEnv(id), DB_SCHEMA: schema, PROFILE_RELAY_MS: '200', ...E2E_AUTH_ENV };
  const analyst = { authorization: bearer('analyst', 'analyst-1') };
  const ALL = '1.5,42.5,1.6,42.55';
  let risk: RunningService | undefined;
  let gateway: RunningService | undefined;
  let kafka: Kafka | undefined;
  let producer: Producer | undefined;

  beforeAll(async () => {
    const imported = runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], env);
    expect(imported.status).toBe(0);
    risk = await startService('risk-service', await freePort(), env);
    // Every query goes through the public gateway, as users' do (CSV included).
    gateway = await startService('ingest-gateway', await freePort(), { ...env, RISK_SERVICE_URL: risk.url });
    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.allSettled([producer?.disconnect(), gateway?.stop(), risk?.stop()]);
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schema]);
    await deleteRedisPrefix(`${id}:`);
  });

  const get = (path: string, headers: Record<string, string> = analyst) => fetch(`${gateway!.url}${path}`, { headers });
  const segments = async (query: string) => {
    const res = await get(`/v1/segments?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Collection;
  };
  const within = (geometry: unknown, query = '') =>
    fetch(`${gateway!.url}/v1/segments/within${query}`, {
      method: 'POST',
      headers: { ...analyst, 'content-type': 'application/json' },
      body: JSON.stringify(geometry),
    });
  const badFields = async (res: Response) => {
    expect(res.status).toBe(400);
    return ((await res.json()) as Problem).fields.map((f) => f.field);
  };

  it('returns the segments in a box as GeoJSON, in id order, with live risk and roadside flags', async () => {
    expect((await get(`/v1/segments?bbox=${ALL}`, {})).status).toBe(401);
    const all = await segments(`bbox=${ALL}`);
    expect(all.type).toBe('FeatureCollection');
    expect(all.features.map((f) => f.id)).toEqual(['w900001-0', 'w900001-1', 'w900002-0']);
    expect(all.page).toEqual({ limit: 500, offset: 0, returned: 3 });
    expect(all.features[0].geometry.type).toBe('LineString');
    expect(all.features[0].properties).toMatchObject({
      id: 'w900001-0', osmWayId: 900001, roadClass: 'primary', name: 'Sample riverside road', exposureScore: 8, waterSide: 'right', cliffSide: null,
    });
    const near = await segments('bbox=1.51,42.5,1.53,42.51');
    expect(near.features.map((f) => f.id)).toEqual(['w900001-0', 'w900001-1']);
    expect((await segments(`bbox=${ALL}&waterSide=true`)).features.map((f) => f.id)).toEqual(['w900001-0']);
    expect((await segments(`bbox=${ALL}&waterSide=false`)).features.map((f) => f.id)).toEqual(['w900001-1', 'w900002-0']);
    expect((await segments(`bbox=${ALL}&roadClass=secondary`)).features.map((f) => f.id)).toEqual(['w900002-0']);
    const page = await segments(`bbox=${ALL}&limit=1&offset=1`);
    expect(page.features.map((f) => f.id)).toEqual(['w900001-1']);
    expect(page.page).toEqual({ limit: 1, offset: 1, returned: 1 });
    const simplified = await segments(`bbox=${ALL}&simplify=200`);
    expect(simplified.features.map((f) => f.id)).toEqual(all.features.map((f) => f.id));
    // The 3-vertex riverside piece bends by less than 200 m: only its ends remain.
    expect(all.features[0].geometry.coordinates).toHaveLength(3);
    expect(simplified.features[0].geometry.coordinates).toHaveLength(2);
  });

  it('answers 400 naming the bad parameter', async () => {
    expect(await badFields(await get('/v1/segments?bbox=1.6,42.5,1.5,42.55'))).toEqual(['bbox']);
    expect(await badFields(await get('/v1/segments?bbox=0,40,3,43'))).toEqual(['bbox']);
    expect(await badFields(await get(`/v1/segments?bbox=${ALL}&limit=100000`))).toEqual(['limit']);
    expect(await badFields(await get(`/v1/segments?bbox=${ALL}&colour=red`))).toEqual(['colour']);
    expect(await badFields(await get(`/v1/segments?bbox=${ALL}&level=extreme`))).toEqual(['level']);
    expect(await badFields(await get('/v1/hotspots?windowM=200&stepM=300'))).toEqual(['stepM']);
  });

  it('returns the segments in a polygon, and refuses an invalid one naming geometry', async () => {
    const square = { type: 'Polygon', coordinates: [[[1.579, 42.533], [1.583, 42.533], [1.583, 42.536], [1.579, 42.536], [1.579, 42.533]]] };
    const res = await within(square);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Collection;
    expect(body.features.map((f) => f.id)).toEqual(['w900002-0']);
    const multi = await within({ type: 'MultiPolygon', coordinates: [square.coordinates, [[[1.51, 42.5], [1.53, 42.5], [1.53, 42.51], [1.51, 42.51], [1.51, 42.5]]]] }, '?roadClass=primary');
    expect(((await multi.json()) as Collection).features.map((f) => f.id)).toEqual(['w900001-0', 'w900001-1']);

    const bowtie = { type: 'Polygon', coordinates: [[[1.5, 42.5], [1.6, 42.55], [1.6, 42.5], [1.5, 42.55], [1.5, 42.5]]] };
    const invalid = await within(bowtie);
    expect(await badFields(invalid)).toEqual(['geometry']);
    const line = await badFields(await within({ type: 'LineString', coordinates: [[1.5, 42.5], [1.6, 42.5]] }));
    expect(line.length).toBeGreaterThan(0);
    expect(line.every((f) => f.startsWith('geometry'))).toBe(true);
    expect(await badFields(await within(square, '?limit=9999'))).toEqual(['limit']);
    // The same list as CSV, sent as GeoJSON's own media type.
    const csv = await fetch(`${gateway!.url}/v1/segments/within?format=csv`, {
      method: 'POST',
      headers: { ...analyst, 'content-type': 'application/geo+json' },
      body: JSON.stringify(square),
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows.map((r) => r.split(',')[0])).toEqual(['id', 'w900002-0']);
  });

  it('exports segments as CSV', async () => {
    const res = await get(`/v1/segments?bbox=${ALL}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,osmWayId,roadClass,name,lengthM,exposureScore,exposureLevel,score,level,alarm,waterSide,cliffSide,wkt');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^w900001-0,900001,primary,Sample riverside road,163\.9,8,low,.*,right,,"LINESTRING\(/);
  });

  it('ranks the window of the road with crashes first in the hotspots', async () => {
    const crash = () => ({
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      source: 'e2e',
      correlationId: `${id}-crash`,
      payload: {
        accidentId: randomUUID(), occurredAt: new Date(Date.now() - 30 * 86_400_000).toISOString(), lon: 1.5223, lat: 42.50665,
        deaths: 0, seriousInjuries: 1, slightInjuries: 0, propertyDamageOnly: false, vehicles: 1,
      },
    });
    const events = [crash(), crash(), crash()];
    await producer!.send({
      topic: topicName(accidentReportedTopic, id),
      messages: events.map((e) => ({ key: e.payload.accidentId, value: JSON.stringify(e) })),
    });
    const hot = await waitFor('three crashes in the hotspots', async () => {
      const res = await get('/v1/hotspots?windowM=500&stepM=100&limit=5&years=3');
      const body = (await res.json()) as Collection;
      return body.features?.[0]?.properties.observed === 3 ? body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(hot.features[0].properties).toMatchObject({ rank: 1, osmWayId: 900001, fromM: 0, segmentIds: ['w900001-0', 'w900001-1'], observedEpdo: 18 });
    const top = hot.features[0].properties as { predicted: number; expected: number; excess: number; toM: number };
    expect(top.toM).toBeCloseTo(274, 0);
    expect(top.excess).toBeGreaterThan(0);
    expect(top.excess).toBeCloseTo(top.expected - top.predicted, 5);
    expect(hot.features[0].geometry.type).toBe('LineString');

    const csv = await get('/v1/hotspots?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('rank,osmWayId,fromM,toM,segmentIds,observed,observedEpdo,predicted,expected,excess,excessEpdo,wkt');
    expect(lines[1]).toMatch(/^1,900001,0,.*,w900001-0;w900001-1,3,18,/);
  });

  it('describes the new routes in its OpenAPI document', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/segments', '/v1/segments/within', '/v1/hotspots']));
  });
});
