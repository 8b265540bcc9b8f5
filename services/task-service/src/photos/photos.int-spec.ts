import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { AuthModule, Role, signToken } from '@roadloop/auth';
import { configureApp } from '@roadloop/http';
import { cameraJpeg, northOf, plainPng, sha256Hex } from '../../../../test/support/photos';
import { Clock } from '../clock';
import { TASK_CONFIG } from '../config';
import { InspectionQueueService } from '../inspections/inspection-queue.service';
import { InspectionsController } from '../inspections/inspections.controller';
import { HOUR, Harness, box, hazardEvent, openHarness, principals, profileEvent } from '../testing/harness';
import { TaskCommandService } from '../tasks/task-command.service';
import { TaskQueryService } from '../tasks/task-query.service';
import { TaskRepository } from '../tasks/task.repository';
import { TasksController } from '../tasks/tasks.controller';
import { PhotoChecks } from './photo-checks.service';
import { DiskPhotoStore, PhotoStore } from './photo-store';
import { PhotoRepository } from './photo.repository';
import { PhotoService } from './photo.service';
import { PhotosController } from './photos.controller';

jest.setTimeout(90_000);

const auth = { secret: 'photos-int-spec-secret-0123456789abcdefgh', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
const ROAD: [number, number][] = [[1.52, 42.505], [1.521, 42.5057]];
const ON_SITE = { lon: 1.5205, lat: 42.50535 };

/**
 * The evidence store over HTTP against the real PostgreSQL: uploads checked byte by byte (digest,
 * format, completeness, size), photos served only to those who may see the task, evidence that
 * references uploaded photos with their EXIF checked, the inspector's queue, and crew commands
 * applied once under an idempotency key.
 */
describe(PhotosController.name, () => {
  let h: Harness;
  let app: INestApplication;
  let base: string;
  let n = 0;
  const storeDir = mkdtempSync(join(tmpdir(), 'photos-int-'));
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    h = await openHarness('photos', { PHOTO_MAX_BYTES: String(5 * 1024 * 1024), PHOTO_MAX_PER_TASK: '4' });
    await h.areas.put('valley', 'Valley township', box(1.5, 42.49, 1.56, 42.52));
    await h.areas.putCrew('crew-1', 'Valley crew 1', 'valley');
    await h.areas.putCrew('crew-2', 'Valley crew 2', 'valley');
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot(auth)],
      controllers: [PhotosController, InspectionsController, TasksController],
      providers: [
        { provide: TASK_CONFIG, useValue: h.config },
        { provide: Clock, useValue: h.clock },
        { provide: TaskRepository, useValue: h.tasks },
        { provide: PhotoRepository, useValue: h.photos },
        { provide: TaskCommandService, useValue: h.commands },
        { provide: TaskQueryService, useValue: h.queries },
        { provide: PhotoStore, useValue: new DiskPhotoStore(storeDir) },
        PhotoChecks,
        PhotoService,
        InspectionQueueService,
      ],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ bodyParser: false, logger: false }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  async function token(role: Role, crewId?: string): Promise<string> {
    const key = `${role}:${crewId ?? ''}`;
    if (!tokens.has(key)) tokens.set(key, `Bearer ${await signToken({ sub: `${role}-${crewId ?? 'x'}`, role, crewId, ttlS: 3600 }, auth)}`);
    return tokens.get(key)!;
  }

  /** A fresh task, assigned, accepted and started by its crew; and the other crew. */
  async function startedTask() {
    const segmentId = `p-${n++}`;
    await h.intake.onSegmentProfile(profileEvent(segmentId, ROAD));
    await h.intake.onReportMatched(hazardEvent(segmentId, { category: 'sight_obstruction', severity: 'high' }));
    const [task] = await h.queries.list({ segmentId, limit: 1, offset: 0 }, principals.dispatcher);
    const crewId = task.crewId!;
    await h.commands.execute(task.id, principals.crew(crewId), { action: 'accept' });
    h.clock.advance(HOUR);
    await h.commands.execute(task.id, principals.crew(crewId), { action: 'start' });
    return { task, crewId, crew: await token('crew', crewId), otherCrew: await token('crew', crewId === 'crew-1' ? 'crew-2' : 'crew-1') };
  }

  async function put(taskId: string, sha256: string, body: Buffer, authorization: string, contentType = 'image/jpeg') {
    const res = await fetch(`${base}/v1/tasks/${taskId}/photos/${sha256}`, { method: 'PUT', headers: { authorization, 'content-type': contentType }, body });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  async function get(path: string, authorization?: string) {
    const res = await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async function post(path: string, body: unknown, authorization: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  const photoOnSite = (at = ON_SITE) => cameraJpeg({ at, takenAt: new Date(h.clock.now().getTime() + 60_000) });

  it('stores a photo by its digest with its EXIF and a thumbnail, once however often it is sent', async () => {
    const { task, crew } = await startedTask();
    const jpeg = await cameraJpeg({ at: ON_SITE, takenAt: new Date('2026-11-27T09:30:00Z'), width: 1200, height: 900 });
    const sha = sha256Hex(jpeg);
    const first = await put(task.id, sha.toUpperCase(), jpeg, crew);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      sha256: sha,
      mediaType: 'image/jpeg',
      bytes: jpeg.length,
      width: 1200,
      height: 900,
      href: `/v1/tasks/${task.id}/photos/${sha}`,
      thumbnailHref: `/v1/tasks/${task.id}/photos/${sha}/thumbnail`,
      exif: { takenAt: '2026-11-27T09:30:00.000Z', timeZone: 'offset' },
    });
    expect(first.body.exif.position.lon).toBeCloseTo(ON_SITE.lon, 5);
    const again = await put(task.id, sha, jpeg, crew);
    expect(again).toEqual({ status: 200, body: first.body });

    const original = await get(first.body.href, crew);
    expect(original.status).toBe(200);
    expect(original.type).toBe('image/jpeg');
    expect(sha256Hex(original.bytes)).toBe(sha);
    const thumbnail = await get(first.body.thumbnailHref, await token('inspector'));
    expect(thumbnail.type).toBe('image/jpeg');
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    const listed = await fetch(`${base}/v1/tasks/${task.id}/photos`, { headers: { authorization: await token('dispatcher') } });
    expect(((await listed.json()) as { sha256: string }[]).map((p) => p.sha256)).toEqual([sha]);
  });

  it('refuses a file over the size limit, of the wrong or an unknown type, cut short, or not matching its digest, naming the problem', async () => {
    const { task, crew } = await startedTask();
    const big = Buffer.alloc(50 * 1024 * 1024, 1);
    big.set([0xff, 0xd8, 0xff, 0xe0], 0);
    const tooLarge = await put(task.id, sha256Hex(big), big, crew);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ error: 'PHOTO_TOO_LARGE', message: `the photo is ${50 * 1024 * 1024} bytes; at most ${5 * 1024 * 1024} bytes are accepted` });

    const png = await plainPng();
    const renamed = await put(task.id, sha256Hex(png), png, crew, 'image/jpeg');
    expect(renamed.status).toBe(415);
    expect(renamed.body).toMatchObject({ error: 'PHOTO_TYPE_MISMATCH', message: expect.stringContaining('the file is a PNG image but was sent as image/jpeg') });

    const jpeg = await photoOnSite();
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.7));
    const truncated = await put(task.id, sha256Hex(cut), cut, crew);
    expect(truncated.status).toBe(400);
    expect(truncated.body).toMatchObject({ error: 'PHOTO_TRUNCATED', message: expect.stringMatching(/^the photo is incomplete: the JPEG/) });

    const mismatch = await put(task.id, 'ab'.repeat(32), jpeg, crew);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({ error: 'PHOTO_HASH_MISMATCH', fields: [{ field: 'sha256', message: `the body's digest is ${sha256Hex(jpeg)}` }] });

    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    expect((await put(task.id, sha256Hex(gif), gif, crew, 'image/gif')).body).toMatchObject({ error: 'PHOTO_TYPE_UNSUPPORTED' });
    expect((await put(task.id, sha256Hex(Buffer.alloc(0)), Buffer.alloc(0), crew)).body).toMatchObject({ error: 'PHOTO_EMPTY' });
    const badPath = await put(task.id, 'not-a-digest', jpeg, crew);
    expect(badPath).toMatchObject({ status: 400, body: { fields: [{ field: 'sha256' }] } });
    // Nothing refused was kept.
    expect(await h.photos.count(task.id)).toBe(0);
  });

  it('lets only the task\'s own crew upload, and only those who may see the task read', async () => {
    const { task, crew, otherCrew } = await startedTask();
    const jpeg = await photoOnSite();
    const sha = sha256Hex(jpeg);
    expect((await put(task.id, sha, jpeg, otherCrew)).body).toMatchObject({ statusCode: 403, error: 'NOT_YOUR_TASK' });
    expect((await put(task.id, sha, jpeg, await token('inspector'))).body).toMatchObject({ statusCode: 403, error: 'ROLE_NOT_ALLOWED' });
    expect((await put(task.id, sha, jpeg, '')).status).toBe(401);
    expect((await put(task.id, sha, jpeg, crew)).status).toBe(201);

    const href = `/v1/tasks/${task.id}/photos/${sha}`;
    expect((await get(href, otherCrew)).status).toBe(403);
    expect((await get(`${href}/thumbnail`, otherCrew)).status).toBe(403);
    expect((await get(`/v1/tasks/${task.id}/photos`, otherCrew)).status).toBe(403);
    expect((await get(href)).status).toBe(401);
    for (const role of ['inspector', 'dispatcher', 'analyst', 'admin'] as const) expect((await get(href, await token(role))).status).toBe(200);
    // A photo of another task is not served under this one.
    const other = await startedTask();
    expect((await get(`/v1/tasks/${other.task.id}/photos/${sha}`, other.crew)).status).toBe(404);
  });

  it('refuses photos beyond the per-task limit and after the task closed', async () => {
    const { task, crew } = await startedTask();
    for (let i = 0; i < 4; i++) {
      const jpeg = await photoOnSite();
      expect((await put(task.id, sha256Hex(jpeg), jpeg, crew)).status).toBe(201);
    }
    const fifth = await photoOnSite();
    expect((await put(task.id, sha256Hex(fifth), fifth, crew)).body).toMatchObject({ statusCode: 409, error: 'PHOTO_LIMIT_REACHED' });
    await h.commands.execute(task.id, principals.dispatcher, { action: 'cancel', reason: 'road closed for good' });
    const late = await photoOnSite();
    expect((await put(task.id, sha256Hex(late), late, crew)).body).toMatchObject({ statusCode: 409, error: 'PHOTO_TASK_CLOSED' });
  });

  it('takes evidence that references uploaded photos, checks their EXIF, and shows it in the inspector\'s queue, oldest first', async () => {
    const good = await startedTask();
    const onSite = [await photoOnSite(), await photoOnSite()];
    for (const p of onSite) expect((await put(good.task.id, sha256Hex(p), p, good.crew)).status).toBe(201);
    const evidence = (photos: Buffer[]) => ({
      photos: photos.map((p) => ({ sha256: sha256Hex(p) })),
      position: { ...ON_SITE, accuracyM: 5 },
      capturedAt: h.clock.now().toISOString(),
      notes: 'cut back',
    });
    const notUploaded = await photoOnSite();
    const refused = await post(`/v1/tasks/${good.task.id}/submit`, { evidence: evidence([onSite[0], notUploaded]) }, good.crew);
    expect(refused).toMatchObject({ status: 400, body: { error: 'PHOTO_NOT_UPLOADED', fields: [{ field: 'evidence.photos.1.sha256' }] } });
    expect((await post(`/v1/tasks/${good.task.id}/submit`, { evidence: evidence(onSite) }, good.crew)).status).toBe(200);
    h.clock.advance(HOUR);

    const flagged = await startedTask();
    const far = await photoOnSite(northOf(ON_SITE, 2000));
    const near = await photoOnSite();
    for (const p of [near, far]) expect((await put(flagged.task.id, sha256Hex(p), p, flagged.crew)).status).toBe(201);
    expect((await post(`/v1/tasks/${flagged.task.id}/submit`, { evidence: evidence([near, far]) }, flagged.crew)).status).toBe(200);

    const queue = await fetch(`${base}/v1/inspections?limit=200`, { headers: { authorization: await token('inspector') } });
    expect(queue.status).toBe(200);
    const items = ((await queue.json()) as { items: Record<string, any>[] }).items;
    const mine = items.filter((i) => [good.task.id, flagged.task.id].includes(i.id));
    expect(mine.map((i) => i.id)).toEqual([good.task.id, flagged.task.id]);
    expect(mine[0]).toMatchObject({ status: 'submitted', checksPassed: true, riskBefore: { level: null }, location: { lon: expect.any(Number) } });
    expect(mine[0].checks.map((c: { check: string }) => c.check)).toEqual(['photos', 'position', 'timing', 'exif']);
    expect(mine[0].evidence.photos.map((p: { sha256: string; uploaded: boolean; thumbnailHref: string }) => [p.sha256, p.uploaded, p.thumbnailHref])).toEqual(
      onSite.map((p) => [sha256Hex(p), true, `/v1/tasks/${good.task.id}/photos/${sha256Hex(p)}/thumbnail`]),
    );
    const exif = mine[1].checks.find((c: { check: string }) => c.check === 'exif');
    expect(mine[1].checksPassed).toBe(false);
    expect(exif).toMatchObject({ passed: false, photos: [sha256Hex(far)], detail: `photo ${sha256Hex(far).slice(0, 8)} taken ${Math.round(exif.detail.match(/taken (\d+) m/)[1])} m from the segment (limit 100 m)` });
    // About 2 km north of the fix; the road runs a little north-east, so somewhat less from it.
    expect(Number(exif.detail.match(/taken (\d+) m/)[1])).toBeGreaterThan(1900);
    expect((await fetch(`${base}/v1/inspections`, { headers: { authorization: good.crew } })).status).toBe(403);
  });

  it('applies a crew command sent twice under one idempotency key once, and refuses the key for another command', async () => {
    const segmentId = `p-${n++}`;
    await h.intake.onSegmentProfile(profileEvent(segmentId, ROAD));
    await h.intake.onReportMatched(hazardEvent(segmentId, { category: 'sight_obstruction', severity: 'high' }));
    const [task] = await h.queries.list({ segmentId, limit: 1, offset: 0 }, principals.dispatcher);
    const crew = await token('crew', task.crewId!);
    const key = { 'idempotency-key': `accept-${task.id}` };
    const first = await post(`/v1/tasks/${task.id}/accept`, { expectedVersion: task.version }, crew, key);
    const again = await post(`/v1/tasks/${task.id}/accept`, { expectedVersion: task.version }, crew, key);
    expect(first).toMatchObject({ status: 200, body: { status: 'accepted', version: task.version + 1 } });
    expect(again).toEqual(first);
    expect((await h.tasks.history(task.id)).filter((e) => e.change === 'accepted')).toHaveLength(1);
    expect((await post(`/v1/tasks/${task.id}/start`, {}, crew, key)).body).toMatchObject({ statusCode: 400, error: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await post(`/v1/tasks/${task.id}/start`, {}, crew, { 'idempotency-key': 'spaces are not allowed' })).body).toMatchObject({
      statusCode: 400,
      fields: [{ field: 'idempotency-key' }],
    });
    // Without the key, the same command again is a conflict, as before.
    expect((await post(`/v1/tasks/${task.id}/accept`, {}, crew)).status).toBe(409);
  });
});
