import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { Browser } from 'playwright-core';
import { roadsideInventoryChangedTopic, segmentRiskChangedV2Topic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { clickPath, launchChromium, pageErrors } from '../support/browser';
import { freePort, isolatedEnv, runId } from '../support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka, waitUntilConsumed } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';
import type { ListedTask, SegmentDetail } from '@roadloop/contracts';

/** A segment the risk service has scored (its detail as an analyst reads it). */
type ScoredSegment = SegmentDetail & { risk: NonNullable<SegmentDetail['risk']> };

jest.setTimeout(240_000);

const box = (a: number, b: number, c: number, d: number) => ({ type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] });

interface ProgrammeItem {
  countermeasure: string;
  side: string;
  members: { segmentId: string }[];
}

/**
 * The sample segments, the riverside one with the engine's roadside breakdown (a river 8 m to the
 * right, nothing to the left), so that its design rating has a range while the river side is unknown.
 */
function sampleWithRoadside(dir: string): string {
  const fc = JSON.parse(readFileSync(SAMPLE_SEGMENTS, 'utf8')) as { features: { properties: Record<string, unknown> }[] };
  const side = (water: number) => ({ water, dropOff: 0, cliff: 0, guardrail: 0 });
  for (const f of fc.features) {
    if (f.properties.id === 'w900001-0') Object.assign(f.properties, { roadside: { left: side(0), right: side(25) }, curvatureClass: 'straight', gradeClass: null, speedKmh: 50 });
  }
  const file = join(dir, 'sample-with-roadside.geojson');
  writeFileSync(file, JSON.stringify(fc));
  return file;
}

/**
 * Survey before works, through the real services: a crew's survey of the riverside stretch goes into
 * the task service's inventory, out through its outbox as `roadside.inventory-changed`, and the risk
 * service re-scores the segment with its sides as found. A water side found without a guardrail
 * becomes a works candidate and keeps its risk; one recorded present lowers the risk, is announced
 * once (however often the event is delivered), and drops out of the programme's candidates.
 */
describe('roadside survey → inventory → re-score → candidate', () => {
  const id = runId('rside');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const common = { ...isolatedEnv(id), PROFILE_RELAY_MS: '200', OUTBOX_POLL_MS: '100', STRETCH_PLAN_INTERVAL_MS: '500', ...E2E_AUTH_ENV };
  const tokens = { admin: bearer('admin', 'root'), dispatcher: bearer('dispatcher', 'dora'), crew: bearer('crew', 'wang', 'west-1') };
  const services: RunningService[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'roadside-'));
  let gateway: RunningService;
  let browser: Browser;
  let kafka: Kafka;
  let producer: Producer;
  let riskChanges: TopicRecorder;
  let inventoryEvents: TopicRecorder;

  beforeAll(async () => {
    expect(runServiceCli('risk-service', ['import', '--geojson', sampleWithRoadside(dir)], { ...common, DB_SCHEMA: schemas.risk }).status).toBe(0);
    const [riskPort, taskPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const task = await startService('task-service', taskPort, { ...common, DB_SCHEMA: schemas.task });
    services.push(task);
    gateway = await startService('ingest-gateway', gatewayPort, { ...common, RISK_SERVICE_URL: `http://127.0.0.1:${riskPort}`, TASK_SERVICE_URL: task.url });
    services.push(gateway);
    // One township with one crew before the risk service announces the segments: the survey goes to that crew.
    expect((await api('PUT', '/v1/jurisdictions/west', tokens.admin, { name: 'West township', geometry: box(1.5, 42.49, 1.53, 42.52) })).status).toBe(200);
    expect((await api('PUT', '/v1/crews/west-1', tokens.admin, { name: 'Crew west 1', jurisdictionId: 'west' })).status).toBe(200);
    services.push(await startService('risk-service', riskPort, { ...common, DB_SCHEMA: schemas.risk }));
    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
    riskChanges = new TopicRecorder(kafka, topicName(segmentRiskChangedV2Topic, id), `${id}-probe-risk`);
    inventoryEvents = new TopicRecorder(kafka, topicName(roadsideInventoryChangedTopic, id), `${id}-probe-inventory`);
    await Promise.all([riskChanges.start(), inventoryEvents.start()]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.allSettled([riskChanges?.stop(), inventoryEvents?.stop(), producer?.disconnect()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
    rmSync(dir, { recursive: true, force: true });
  });

  async function api(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  const tasksOn = async (segmentId: string) => (await api('GET', `/v1/tasks?segmentId=${segmentId}`, tokens.dispatcher)).body.items as ListedTask[];
  const segment = async () => (await api('GET', '/v1/segments/w900001-0', tokens.dispatcher)).body as ScoredSegment;
  const riverChanges = () => riskChanges.messages.filter((m) => m.key === 'w900001-0');
  const mapFeature = async () => {
    const body = (await api('GET', '/v1/segments?bbox=1.50,42.49,1.56,42.55', tokens.dispatcher)).body as { features: { id: string; properties: { roadsideUnknown: string[] } }[] };
    return body.features.find((f) => f.id === 'w900001-0')!.properties;
  };
  const guardrailItems = async () => {
    const draft = await api('POST', '/v1/programmes', tokens.dispatcher, { budget: 1_000_000, year: 2027 });
    expect(draft.status).toBe(201);
    return (draft.body.items as ProgrammeItem[]).filter((i) => i.countermeasure === 'guardrail' && i.members.some((m) => m.segmentId === 'w900001-0'));
  };

  it('draws the unknown river side dotted on the map, and shows the design rating as a range from protected to unprotected', async () => {
    await waitFor('the riverside segment scored', async () => (await segment()).risk ?? undefined);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = pageErrors(page);
    await page.goto(`${gateway.url}/map#map=14/42.5195/1.5500&token=${tokens.dispatcher.replace(/^Bearer /, '')}`);
    await page.waitForSelector('#map[data-segments-drawn="3"]');
    // Only the riverside segment has a side where a guardrail would matter; nothing is known there.
    expect(await page.locator('path[data-roadside-unknown]').count()).toBe(1);
    expect(await page.getAttribute('path[data-roadside-unknown]', 'data-roadside-unknown')).toBe('w900001-0');
    expect(await page.textContent('#legend')).toContain('unknown whether one stands');
    await clickPath(page, 'path[data-segment-id="w900001-0"]', 0.05);
    await page.waitForSelector('#detail[data-segment-id="w900001-0"] .design-range');
    expect(await page.getAttribute('#detail .design-range', 'data-unknown-sides')).toBe('right');
    expect(await page.textContent('#detail .design-range')).toMatch(/^★+☆* with a guardrail … ★+☆* without \(unknown on the right side\)$/);
    expect(await page.textContent('#detail .roadside-inventory')).toBe('nothing recorded');
    const detail = (await api('GET', '/v1/segments/w900001-0', tokens.dispatcher)).body as { designRating: { range: { protected: { score: number }; unprotected: { score: number } } } };
    expect(detail.designRating.range.protected.score).toBeLessThan(detail.designRating.range.unprotected.score);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('makes the water side found without a guardrail a works candidate, and records it in the risk service with its risk unchanged', async () => {
    const survey = await waitFor('the roadside survey of w900001-0, assigned', async () => (await tasksOn('w900001-0')).find((t) => t.countermeasure === 'roadside_survey' && t.crewId));
    const before = await waitFor('the riverside segment scored', async () => (await segment()).risk ?? undefined);
    // Nothing surveyed: the river side is unknown, and the programme leaves it to the survey.
    expect((await segment()).roadside).toEqual([]);
    expect(await guardrailItems()).toEqual([]);

    for (const action of ['accept', 'start']) expect((await api('POST', `/v1/tasks/${survey.id}/${action}`, tokens.crew, {})).status).toBe(200);
    const stretch = ((await api('GET', `/v1/tasks/${survey.id}/stretch`, tokens.crew)).body as { properties: { lengthM: number } }).properties;
    const found = await api('POST', `/v1/tasks/${survey.id}/survey`, tokens.crew, {
      findings: [
        { side: 'right', fromM: 0, toM: stretch.lengthM, status: 'absent' },
        { side: 'left', fromM: 0, toM: stretch.lengthM, status: 'present' },
      ],
    });
    expect(found.status).toBe(200);

    const works = await waitFor('the guardrail works on the river side', async () => (await tasksOn('w900001-0')).find((t) => t.countermeasure === 'guardrail'));
    expect(works.side).toBe('right');
    const recorded = await waitFor('the inventory in the risk service', async () => {
      const s = await segment();
      return s.roadside.length === 2 ? s : undefined;
    });
    expect(recorded.roadside).toEqual([
      expect.objectContaining({ side: 'left', status: 'present', source: 'crew_survey' }),
      expect.objectContaining({ side: 'right', status: 'absent', source: 'crew_survey' }),
    ]);
    // Absent is unguarded, as the unknown side was scored: the same risk, no announcement.
    await waitUntilConsumed(kafka, `${id}.risk-service.roadside`, topicName(roadsideInventoryChangedTopic, id));
    expect(recorded.risk.score).toBe(before.score);
    // Known now: no range, and the map no longer draws the side as unknown.
    expect(recorded.designRating.range).toBeNull();
    expect((await mapFeature()).roadsideUnknown).toEqual([]);
    expect(riverChanges()).toHaveLength(0);
    expect((await guardrailItems()).map((i) => i.side)).toEqual(['right']);
  });

  it('lowers the risk once the guardrail is recorded present, announces it once however often the event comes, and drops the candidate', async () => {
    const { body: before } = await api('GET', '/v1/segments/w900001-0', tokens.dispatcher);
    const imported = await api('POST', '/v1/roadside/inventory', tokens.admin, { rows: [{ segmentId: 'w900001-0', side: 'right', fromM: 0, toM: 163.9, status: 'present' }] });
    expect(imported.status).toBe(200);

    const change = await waitFor('the level change of w900001-0', () => riverChanges()[0]);
    const payload = (JSON.parse(change.value!.toString()) as { payload: { level: string; previousLevel: string; score: number; cause: unknown; factors: { factor: string; detail?: string }[] } }).payload;
    expect(payload.cause).toEqual({ kind: 'inventory', id: 'w900001-0' });
    expect(payload.previousLevel).toBe(before.risk.level);
    expect(payload.score).toBeLessThan(before.risk.score);
    expect(payload.factors.find((f) => f.factor === 'roadside')?.detail).toMatch(/guardrail recorded/);

    // The same inventory events again: nothing changes, nothing more is announced.
    const replay = inventoryEvents.messages.filter((m) => m.key === 'w900001-0');
    expect(replay.length).toBeGreaterThanOrEqual(2);
    await producer.send({ topic: topicName(roadsideInventoryChangedTopic, id), messages: replay.map((m) => ({ key: m.key, value: m.value })) });
    await waitUntilConsumed(kafka, `${id}.risk-service.roadside`, topicName(roadsideInventoryChangedTopic, id));
    const after = await segment();
    expect(after.risk.score).toBe(payload.score);
    expect(after.roadside.find((s) => s.side === 'right')).toMatchObject({ status: 'present', source: 'import' });
    expect(riverChanges()).toHaveLength(1);
    expect(await guardrailItems()).toEqual([]);
  });
});
