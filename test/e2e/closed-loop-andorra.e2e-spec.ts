import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { segmentRiskChangedV2Topic, taskChangedTopic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { isolatedEnv, runId } from '../support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { RunningService, importSampleRegion, runServiceCli, startStack } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas, query } from '../support/stores';
import { waitFor } from '../support/wait-for';
import type { ListedTask, TaskDetail } from '@roadloop/contracts';

jest.setTimeout(900_000);


interface RiskEvent {
  payload: { segmentId: string; level: string; previousLevel: string | null; score: number; cause?: { kind: string; id: string } };
}

const box = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon',
  coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
});

/**
 * The whole loop on the real Andorra network (OpenStreetMap + SRTM), through the real broker,
 * PostGIS and Redis: crashes and a missing guardrail on a water-side segment raise it to the top
 * level → a guardrail task goes to the crew of the township that contains the segment → the crew
 * submits evidence from the wrong place and the automatic check flags it → it resubmits on site →
 * the inspector verifies → the segment's risk drops → a new crash there reopens the task as a
 * failed fix.
 */
describe('closed loop on the Andorra network', () => {
  const id = runId('loop');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const common = {
    ...isolatedEnv(id),
    PROFILE_RELAY_MS: '200',
    OUTBOX_POLL_MS: '100',
    // This scenario opens the guardrail task from reports; the import-time rule is tested elsewhere.
    MANDATORY_PROTECTION_ENABLED: 'false',
    ...E2E_AUTH_ENV,
  };
  const tokens = {
    police: bearer('dispatcher', 'police-system'),
    inspector: bearer('inspector', 'ivan'),
    analyst: bearer('analyst', 'ana'),
    crew: bearer('crew', 'wang', 'here-crew'),
  };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let kafka: Kafka;
  let risks: TopicRecorder;
  let tasks: TopicRecorder;
  let tmp: string;
  let segment: { id: string; lon: number; lat: number; side: string };

  beforeAll(async () => {
    const imported = importSampleRegion({ ...common, DB_SCHEMA: schemas.risk });
    expect(imported.stdout).toMatch(/imported 6058 of 6058 segments/);

    // A primary road within 10 m of a river, not on a bridge, not yet at the top level: the kind of
    // place the loop is for.
    [segment] = await query<{ id: string; lon: number; lat: number; side: string }>(
      `SELECT id, ST_X(ST_LineInterpolatePoint(geom, 0.5)) AS lon, ST_Y(ST_LineInterpolatePoint(geom, 0.5)) AS lat,
              attributes->>'waterSide' AS side
         FROM "${schemas.risk}".road_segment
        WHERE road_class = 'primary' AND (attributes->>'waterDistanceM')::float < 10
          AND attributes->>'waterSide' IN ('left', 'right') AND NOT (attributes->>'bridge')::boolean
          AND length_m > 50 AND exposure_level IN ('medium', 'high')
        ORDER BY id LIMIT 1`,
    );
    expect(segment).toBeDefined();

    // Two townships side by side; the segment lies in "here".
    tmp = mkdtempSync(join(tmpdir(), 'roadloop-loop-'));
    const areas = join(tmp, 'townships.geojson');
    writeFileSync(
      areas,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { id: 'here', name: 'Here' }, geometry: box(segment.lon - 0.02, segment.lat - 0.02, segment.lon + 0.02, segment.lat + 0.02) },
          { type: 'Feature', properties: { id: 'next-door', name: 'Next door' }, geometry: box(segment.lon + 0.02, segment.lat - 0.02, segment.lon + 0.06, segment.lat + 0.02) },
        ],
      }),
    );
    const loaded = runServiceCli('task-service', ['jurisdictions', '--geojson', areas], { ...common, DB_SCHEMA: schemas.task });
    expect(loaded.stdout).toMatch(/loaded 2 of 2 jurisdictions/);

    const stack = await startStack(common, schemas);
    services.push(...stack.all);
    gateway = stack.gateway;

    kafka = testKafka(`${id}-probe`);
    risks = new TopicRecorder(kafka, topicName(segmentRiskChangedV2Topic, id), `${id}-probe-risk`);
    tasks = new TopicRecorder(kafka, topicName(taskChangedTopic, id), `${id}-probe-tasks`);
    await Promise.all([risks.start(), tasks.start()]);

    const admin = bearer('admin', 'root');
    for (const [crew, township] of [['here-crew', 'here'], ['next-door-crew', 'next-door']]) {
      const res = await fetch(`${gateway.url}/v1/crews/${crew}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: admin },
        body: JSON.stringify({ name: crew, jurisdictionId: township }),
      });
      expect(res.status).toBeLessThan(300);
    }
  });

  afterAll(async () => {
    await Promise.allSettled([risks?.stop(), tasks?.stop()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const riskEvents = () => risks.messages.map((m) => JSON.parse(m.value!.toString()) as RiskEvent).filter((e) => e.payload.segmentId === segment.id);
  const guardrailTask = async () =>
    ((await call('GET', `/v1/tasks?segmentId=${segment.id}`, tokens.inspector)).body.items as ListedTask[]).find((t) => t.countermeasure === 'guardrail');
  const evidence = (lon: number, lat: number) => ({
    evidence: {
      photos: [{ url: 'https://photos.example.org/guardrail.jpg', sha256: 'cd'.repeat(32) }],
      position: { lon, lat, accuracyM: 6 },
      capturedAt: new Date().toISOString(),
      notes: 'W-beam guardrail installed along the river side',
    },
  });

  // The task service reads this test's reports after the import's 6,058 segment profiles and their
  // risk changes (one consumer, in order), which takes minutes on a loaded two-core machine.
  const behindTheImport = { timeoutMs: 240_000, intervalMs: 500 };

  it('finds the hazard, dispatches the fix, checks the evidence, verifies it, re-scores the road, and reopens a fix that did not hold', async () => {
    const at = { lon: segment.lon, lat: segment.lat };
    // Two injury crashes and a missing guardrail reported on the river bend.
    for (const daysAgo of [40, 12]) {
      const res = await call('POST', '/v1/accidents', tokens.police, {
        ...at, occurredAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString(), deaths: 0, seriousInjuries: 1,
        slightInjuries: 2, propertyDamageOnly: false, vehicles: 1, light: 'dark_unlit',
      });
      expect(res.status).toBe(202);
    }
    expect((await call('POST', '/v1/hazards', undefined, { ...at, category: 'missing_guardrail', severity: 'critical' })).status).toBe(202);

    const top = await waitFor('the segment at the top level', () => riskEvents().find((e) => e.payload.level === 'very_high'), behindTheImport);
    const topScore = top.payload.score;

    // A guardrail task, routed to the crew of the township that contains the segment.
    const created = await waitFor(
      'the guardrail task assigned',
      async () => {
        const t = await guardrailTask();
        return t?.status === 'assigned' ? t : undefined;
      },
      behindTheImport,
    );
    expect(created).toMatchObject({ jurisdictionId: 'here', crewId: 'here-crew' });
    const path = `/v1/tasks/${created.id}`;

    // The crew works it, but submits from 2 km away: accepted for review, flagged for the inspector.
    expect((await call('POST', `${path}/accept`, tokens.crew)).body).toMatchObject({ status: 'accepted' });
    expect((await call('POST', `${path}/start`, tokens.crew)).body).toMatchObject({ status: 'in_progress' });
    await call('POST', `${path}/submit`, tokens.crew, evidence(segment.lon + 0.025, segment.lat));
    const flagged = (await call('GET', path, tokens.inspector)).body as TaskDetail;
    expect(flagged.status).toBe('submitted');
    expect(flagged.checks?.find((c) => c.check === 'position')).toMatchObject({ passed: false });

    // Rejected; resubmitted on site; verified.
    expect((await call('POST', `${path}/reject`, tokens.inspector, { reason: 'evidence taken 2 km away' })).body).toMatchObject({ status: 'rejected' });
    expect((await call('POST', `${path}/start`, tokens.crew)).body).toMatchObject({ status: 'in_progress' });
    await call('POST', `${path}/submit`, tokens.crew, evidence(segment.lon, segment.lat));
    const onSite = (await call('GET', path, tokens.inspector)).body as TaskDetail;
    expect(onSite.checks?.every((c) => c.passed)).toBe(true);
    expect((await call('POST', `${path}/verify`, tokens.inspector, {})).body).toMatchObject({ status: 'verified' });

    // The risk service hears of the verified guardrail: the hazard is resolved, the road re-scored.
    const fixed = await waitFor('the re-score after the fix', () => riskEvents().find((e) => e.payload.cause?.kind === 'fix'), behindTheImport);
    expect(fixed.payload.score).toBeLessThan(topScore);
    expect(fixed.payload.previousLevel).toBe('very_high');
    const detail = (await call('GET', `/v1/segments/${segment.id}`, tokens.analyst)).body;
    expect(detail.hazards.every((h: { status: string }) => h.status === 'resolved')).toBe(true);
    // The verified guardrail protects the river side: its roadside hazard rating drops from 7 to 5.
    expect(detail.risk.factors.find((f: { factor: string }) => f.factor === 'roadside').detail).toMatch(/^roadside hazard rating 5: .*guardrail verified/);

    // A new crash there within the window: the fix did not hold, the task reopens.
    expect(
      (
        await call('POST', '/v1/accidents', tokens.police, {
          ...at, occurredAt: new Date().toISOString(), deaths: 0, seriousInjuries: 0, slightInjuries: 1,
          propertyDamageOnly: false, vehicles: 1,
        })
      ).status,
    ).toBe(202);
    const reopened = await waitFor(
      'the task reopened',
      async () => {
        const t = (await call('GET', path, tokens.inspector)).body as TaskDetail;
        return t.fixFailed ? t : undefined;
      },
      behindTheImport,
    );
    expect(['reopened', 'assigned']).toContain(reopened.status);
    // The outbox relay publishes the reopen shortly after it is committed: wait for it.
    const announced = await waitFor('the reopen announced', () => {
      const events = tasks.messages.map((m) => JSON.parse(m.value!.toString())).filter((e) => e.payload.taskId === created.id);
      return events.some((e) => e.payload.change === 'reopened') ? events : undefined;
    });
    expect(announced.map((e) => e.payload.change)).toEqual(expect.arrayContaining(['created', 'assigned', 'verified', 'reopened']));
    expect(announced.find((e) => e.payload.change === 'reopened').payload.fixFailed).toBe(true);
  });
});
