import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { reportMatchedTopic, segmentProfileTopic, taskChangedTopic, topicName } from '@roadloop/contracts';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { REPO_ROOT, freePort, isolatedEnv, runId } from '../support/environment';
import { TopicRecorder, deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { RunningService, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';
import type { TaskDetail, TaskView } from '@roadloop/contracts';

/** A task as a command or the detail returns it (the detail adds checks and history). */
type TaskBody = TaskView & Partial<Pick<TaskDetail, 'checks' | 'history'>>;

jest.setTimeout(180_000);

const box = (a: number, b: number, c: number, d: number) => ({
  type: 'Polygon',
  coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]],
});
/** Two townships split at lon 1.53. */
const WEST = box(1.5, 42.49, 1.53, 42.52);
const EAST = box(1.53, 42.49, 1.6, 42.55);
const RIVER_ROAD: [number, number][] = [[1.52, 42.505], [1.521, 42.5057]];
const PASS_ROAD: [number, number][] = [[1.58, 42.534], [1.5812, 42.5347]];


interface TaskChangedValue {
  eventId: string;
  payload: { taskId: string; change: string; status: string; hazardIds: string[]; fixFailed: boolean; version: number; countermeasure: string };
}

/**
 * The task side of the loop through real processes: matched reports and segment profiles on Kafka
 * become a task routed to the right township's crew; the crew, the inspector and a dispatcher drive
 * it over HTTP (through the gateway) with their tokens; the verification is announced on Kafka, and
 * a crash soon after reopens the task as a failed fix.
 */
describe('task lifecycle: report → routed task → evidence → verified → reopened by a crash', () => {
  const id = runId('e2etask');
  const prefix = id;
  const schema = `task_${id}`;
  const topics = {
    profiles: topicName(segmentProfileTopic, prefix),
    reports: topicName(reportMatchedTopic, prefix),
    taskChanged: topicName(taskChangedTopic, prefix),
  };
  const common = {
    ...isolatedEnv(prefix),
    KAFKA_CONSUMER_MAX_ATTEMPTS: '3',
    LOG_LEVEL: 'info',
    ...E2E_AUTH_ENV,
  };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let task: RunningService;
  let kafka: Kafka;
  let producer: Producer;
  let taskChanges: TopicRecorder;
  let tmp: string;

  const tokens = {
    admin: bearer('admin', 'root'),
    dispatcher: bearer('dispatcher', 'dora'),
    inspector: bearer('inspector', 'ivan'),
    analyst: bearer('analyst', 'ana'),
    westCrew: bearer('crew', 'wang', 'west-crew'),
    eastCrew: bearer('crew', 'li', 'east-crew'),
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'roadloop-e2e-'));
    const areas = join(tmp, 'townships.geojson');
    writeFileSync(
      areas,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: WEST, properties: { id: 'west', name: 'West township' } },
          { type: 'Feature', geometry: EAST, properties: { id: 'east', name: 'East township' } },
        ],
      }),
    );
    const loaded = spawnSync(process.execPath, [join(REPO_ROOT, 'services/task-service/dist/cli.js'), 'jurisdictions', '--geojson', areas], {
      env: { ...process.env, ...common, DB_SCHEMA: schema },
      encoding: 'utf8',
    });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toMatch(/loaded 2 of 2 jurisdictions \(2 new/);

    const [taskPort, gatewayPort] = [await freePort(), await freePort()];
    task = await startService('task-service', taskPort, { ...common, DB_SCHEMA: schema, OUTBOX_POLL_MS: '100', ESCALATION_INTERVAL_MS: '1000' });
    services.push(task);
    gateway = await startService('ingest-gateway', gatewayPort, { ...common, TASK_SERVICE_URL: task.url });
    services.push(gateway);

    kafka = testKafka(`${id}-probe`);
    producer = kafka.producer();
    await producer.connect();
    taskChanges = new TopicRecorder(kafka, topics.taskChanged, `${id}-probe-tasks`);
    await taskChanges.start();
  });

  afterAll(async () => {
    await Promise.allSettled([taskChanges?.stop(), producer?.disconnect()]);
    await Promise.allSettled(services.map((s) => s.stop()));
    if (kafka) await deleteTopicsWithPrefix(kafka, prefix);
    await dropSchemas([schema]);
    await deleteRedisPrefix(`${id}:`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}), 'x-correlation-id': `${id}-http` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & TaskBody };
  };
  const viaGateway = (method: string, path: string, token?: string, body?: unknown) => call(gateway.url, method, path, token, body);
  const admin = (method: string, path: string, token: string | undefined, body?: unknown) => call(task.url, method, path, token, body);

  const envelope = () => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1, source: 'e2e', correlationId: `${id}-kafka` });
  const profile = (segmentId: string, coordinates: [number, number][]) => ({
    ...envelope(),
    payload: {
      segmentId, geometry: { type: 'LineString', coordinates }, roadClass: 'secondary', name: null, lengthM: 110, waterDistanceM: 40,
      waterSide: 'right', cliffSide: null, dropLeftM: 1, dropRightM: 2, guardrail: { left: 0, right: 0 }, exposureScore: 30, exposureLevel: 'medium',
    },
  });
  const produce = (topic: string, key: string, values: unknown[]) =>
    producer.send({ topic, messages: values.map((v) => ({ key, value: JSON.stringify(v) })) });

  const evidence = (lon: number, lat: number) => ({
    evidence: {
      photos: [{ url: 'https://photos.example.org/rockfall-cleared.jpg', sha256: 'ab'.repeat(32) }],
      position: { lon, lat, accuracyM: 8 },
      capturedAt: new Date().toISOString(),
      notes: 'boulders removed, slope scaled',
    },
  });

  const changesOf = (taskId: string) =>
    taskChanges.messages.map((m) => JSON.parse(m.value!.toString()) as TaskChangedValue).filter((v) => v.payload.taskId === taskId);

  it('runs the loop end to end, with the right roles, evidence checks and a reopen on a crash', async () => {
    // Road crews of both townships (admin API of the task service).
    expect((await admin('PUT', '/v1/crews/west-crew', tokens.admin, { name: 'West road crew', jurisdictionId: 'west' })).status).toBe(200);
    expect((await admin('PUT', '/v1/crews/east-crew', tokens.admin, { name: 'East road crew', jurisdictionId: 'east' })).status).toBe(200);

    // Segment profiles and a critical rockfall on the river road, each delivered twice.
    const rockfall = {
      ...envelope(),
      payload: {
        kind: 'hazard', hazardId: randomUUID(), category: 'rockfall', severity: 'critical', reportedAt: new Date().toISOString(),
        segmentId: 'w1-0', distanceM: 3, offsetM: 40, lon: 1.5205, lat: 42.5053,
      },
    };
    await produce(topics.profiles, 'w1-0', [profile('w1-0', RIVER_ROAD), profile('w1-0', RIVER_ROAD)]);
    await produce(topics.profiles, 'e1-0', [profile('e1-0', PASS_ROAD)]);
    await produce(topics.reports, 'w1-0', [rockfall, rockfall]);

    const created = await waitFor('a task assigned to the West crew', async () => {
      const { body } = await viaGateway('GET', '/v1/tasks?segmentId=w1-0', tokens.dispatcher);
      const items = body.items as unknown as TaskBody[];
      return items.length === 1 && items[0].status === 'assigned' ? items[0] : undefined;
    });
    expect(created).toMatchObject({ countermeasure: 'rockfall_clearing', jurisdictionId: 'west', crewId: 'west-crew', hazardIds: [rockfall.payload.hazardId] });
    const taskPath = `/v1/tasks/${created.id}`;

    // 401 without or with a forged token; 403 for the wrong role and for another crew.
    expect((await viaGateway('GET', '/v1/tasks', undefined)).status).toBe(401);
    expect((await viaGateway('GET', '/v1/tasks', bearer('dispatcher', 'mallory', undefined, 'not-the-secret-not-the-secret-not-the'))).body).toMatchObject({
      statusCode: 401,
      error: 'TOKEN_BAD_SIGNATURE',
    });
    expect((await viaGateway('POST', `${taskPath}/assign`, tokens.analyst, { crewId: 'east-crew' })).status).toBe(403);
    expect((await viaGateway('POST', `${taskPath}/accept`, tokens.eastCrew)).body).toMatchObject({ statusCode: 403, error: 'NOT_YOUR_TASK' });
    expect((await viaGateway('GET', taskPath, tokens.eastCrew)).status).toBe(403);
    expect((await viaGateway('GET', '/v1/tasks', tokens.eastCrew)).body.items).toEqual([]);
    expect((await viaGateway('POST', `${taskPath}/verify`, tokens.westCrew)).status).toBe(403);

    // The crew accepts, starts, and submits evidence from the wrong place: accepted, but flagged.
    expect((await viaGateway('POST', `${taskPath}/accept`, tokens.westCrew)).body).toMatchObject({ status: 'accepted' });
    expect((await viaGateway('POST', `${taskPath}/start`, tokens.westCrew, {})).body).toMatchObject({ status: 'in_progress' });
    expect((await viaGateway('POST', `${taskPath}/submit`, tokens.westCrew, evidence(1.53, 42.51))).body).toMatchObject({ status: 'submitted' });
    let detail = (await viaGateway('GET', taskPath, tokens.inspector)).body;
    expect(detail.checks!.find((c) => c.check === 'position')).toMatchObject({ passed: false, detail: expect.stringMatching(/m from the segment \(limit 100 m/) });

    // 409 on an illegal transition and on a stale version; 400 naming bad fields.
    expect((await viaGateway('POST', `${taskPath}/submit`, tokens.westCrew, evidence(1.5205, 42.5053))).body).toMatchObject({ statusCode: 409, error: 'ILLEGAL_TRANSITION' });
    const badReject = await viaGateway('POST', `${taskPath}/reject`, tokens.inspector, { reasn: 'typo' });
    expect(badReject.status).toBe(400);
    expect((badReject.body.fields as unknown as { field: string }[]).map((f) => f.field).sort()).toEqual(['reasn', 'reason']);
    const badEvidence = await viaGateway('POST', `${taskPath}/submit`, tokens.westCrew, {
      evidence: { photos: [{ url: 'ftp://x', sha256: 'nope' }], position: { lon: 200, lat: 42, accuracyM: 5 }, capturedAt: 'yesterday' },
    });
    expect((badEvidence.body.fields as unknown as { field: string }[]).map((f) => f.field).sort()).toEqual([
      'evidence.capturedAt', 'evidence.photos.0.sha256', 'evidence.photos.0.url', 'evidence.position.lon',
    ]);
    expect((await viaGateway('GET', `/v1/tasks/${randomUUID()}`, tokens.dispatcher)).status).toBe(404);

    // The inspector rejects; the crew goes back and resubmits from the site.
    expect((await viaGateway('POST', `${taskPath}/reject`, tokens.inspector, { reason: 'the position is 900 m off; photo the slope' })).body).toMatchObject({ status: 'rejected' });
    expect((await viaGateway('POST', `${taskPath}/start`, tokens.westCrew)).body).toMatchObject({ status: 'in_progress' });
    const resubmitted = (await viaGateway('POST', `${taskPath}/submit`, tokens.westCrew, evidence(1.5205, 42.5053))).body;
    detail = (await viaGateway('GET', taskPath, tokens.inspector)).body;
    expect(detail.checks!.every((c) => c.passed)).toBe(true);

    // Verification with optimistic concurrency, announced on Kafka with the hazards it resolves.
    expect((await viaGateway('POST', `${taskPath}/verify`, tokens.inspector, { expectedVersion: resubmitted.version - 1 })).body).toMatchObject({ statusCode: 409, error: 'VERSION_CONFLICT' });
    const verified = (await viaGateway('POST', `${taskPath}/verify`, tokens.inspector, { expectedVersion: resubmitted.version })).body;
    expect(verified).toMatchObject({ status: 'verified' });
    const announced = await waitFor('the verified event on Kafka', () => changesOf(created.id).find((v) => v.payload.change === 'verified'));
    expect(announced.payload).toMatchObject({ status: 'verified', hazardIds: [rockfall.payload.hazardId], countermeasure: 'rockfall_clearing', fixFailed: false });

    // A crash on the segment soon after: the fix did not hold.
    const crash = {
      ...envelope(),
      payload: {
        kind: 'accident', accidentId: randomUUID(), occurredAt: new Date().toISOString(), deaths: 0, seriousInjuries: 1, slightInjuries: 2,
        propertyDamageOnly: false, segmentId: 'w1-0', distanceM: 4, offsetM: 60, lon: 1.5206, lat: 42.5054,
      },
    };
    await produce(topics.reports, 'w1-0', [crash, crash]);
    const reopenedEvent = await waitFor('the reopened event on Kafka', () => changesOf(created.id).find((v) => v.payload.change === 'reopened'));
    expect(reopenedEvent.payload).toMatchObject({ status: 'reopened', fixFailed: true });
    const reopened = await waitFor('the reopened task routed again', async () => {
      const { body } = await viaGateway('GET', taskPath, tokens.dispatcher);
      return body.status === 'assigned' && body.fixFailed ? body : undefined;
    });
    expect(reopened).toMatchObject({ crewId: 'west-crew', priority: 'p1', reopenCount: 1 });

    // One event per version, in order, despite the duplicate deliveries; the audit trail says the same.
    await waitFor('the re-assignment event', () => changesOf(created.id).find((v) => v.payload.version === reopened.version));
    const versions = changesOf(created.id).map((v) => v.payload.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    const trail = (await viaGateway('GET', taskPath, tokens.analyst)).body.history!.map((e) => e.change);
    expect(trail).toEqual(['created', 'assigned', 'accepted', 'started', 'submitted', 'rejected', 'started', 'submitted', 'verified', 'reopened', 'assigned']);
    expect(changesOf(created.id).map((v) => v.payload.change)).toEqual(trail);

    // The township's status, readable by an analyst.
    const status = await admin('GET', '/v1/jurisdictions/west/status', tokens.analyst);
    expect(status.body).toMatchObject({ jurisdictionId: 'west', open: 1, status: expect.stringMatching(/^(green|yellow|red)$/) });
  });

  it('manages jurisdictions and crews: admin only, valid polygons only, and a token minted by the script', async () => {
    const minted = spawnSync(process.execPath, [join(REPO_ROOT, 'libs/auth/dist/mint-token.js'), '--role', 'admin', '--sub', 'ops', '--ttl', '10m'], {
      env: { ...process.env, ...E2E_AUTH_ENV },
      encoding: 'utf8',
    });
    expect(minted.stderr).toBe('');
    const scriptToken = `Bearer ${minted.stdout.trim()}`;
    const hill = { name: 'Hill village', geometry: box(1.54, 42.53, 1.56, 42.54) };
    expect((await admin('PUT', '/v1/jurisdictions/hill', tokens.dispatcher, hill)).status).toBe(403);
    expect((await admin('PUT', '/v1/jurisdictions/hill', scriptToken, hill)).body).toMatchObject({ id: 'hill', created: true });
    const bowtie = await admin('PUT', '/v1/jurisdictions/bow', scriptToken, {
      name: 'Bow',
      geometry: { type: 'Polygon', coordinates: [[[1.5, 42.5], [1.6, 42.6], [1.6, 42.5], [1.5, 42.6], [1.5, 42.5]]] },
    });
    expect(bowtie.status).toBe(400);
    expect(bowtie.body).toMatchObject({ error: 'INVALID_GEOMETRY', fields: [{ field: 'geometry', message: expect.stringMatching(/Self-intersection/) }] });
    expect((await admin('PUT', '/v1/crews/ghost', scriptToken, { name: 'Ghost crew', jurisdictionId: 'nowhere' })).status).toBe(404);
    const list = await admin('GET', '/v1/jurisdictions', tokens.dispatcher);
    expect((list.body.items as unknown as { id: string; status: string }[]).map((j) => j.id)).toEqual(['east', 'hill', 'west']);
  });
});
