import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { AuthModule, Role, signToken } from '@roadloop/auth';
import { configureApp } from '@roadloop/http';
import { cameraJpeg, plainPng, sha256Hex } from '../../../../test/support/photos';
import { TASK_CONFIG, loadTaskConfig } from '../config';
import { PhotoChecks } from './photo-checks.service';
import { DiskPhotoStore, PhotoStore } from './photo-store';
import { ReportPhotoService } from './report-photo.service';
import { ReportPhotosController } from './report-photos.controller';

jest.setTimeout(60_000);

const auth = { secret: 'report-photos-int-secret-0123456789abcdef', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
const MAX_BYTES = 2 * 1024 * 1024;

/**
 * Villagers' report photos over HTTP with the photo store on disk: the upload (no token; the
 * gateway limits it per address) goes through the crew photos' checks, and only office roles read.
 */
describe(ReportPhotosController.name, () => {
  let app: INestApplication;
  let base: string;
  const storeDir = mkdtempSync(join(tmpdir(), 'report-photos-int-'));

  beforeAll(async () => {
    const config = loadTaskConfig({ JWT_SECRET: auth.secret, PHOTO_MAX_BYTES: String(MAX_BYTES) });
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot(auth)],
      controllers: [ReportPhotosController],
      providers: [{ provide: TASK_CONFIG, useValue: config }, { provide: PhotoStore, useValue: new DiskPhotoStore(storeDir) }, PhotoChecks, ReportPhotoService],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ bodyParser: false, logger: false }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  const token = async (role: Role) => `Bearer ${await signToken({ sub: `${role}-1`, role, crewId: role === 'crew' ? 'crew-1' : undefined, ttlS: 600 }, auth)}`;

  async function put(sha256: string, body: Buffer, contentType = 'image/jpeg') {
    const res = await fetch(`${base}/v1/report-photos/${sha256}`, { method: 'PUT', headers: { 'content-type': contentType }, body });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  async function get(path: string, authorization?: string) {
    const res = await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('keeps a photo by its digest without a token, once however often it is sent, and serves it and its thumbnail to office roles only', async () => {
    const jpeg = await cameraJpeg({ width: 800, height: 600, seed: 11 });
    const sha = sha256Hex(jpeg);
    const first = await put(sha, jpeg);
    expect(first).toEqual({
      status: 201,
      body: { sha256: sha, mediaType: 'image/jpeg', bytes: jpeg.length, width: 800, height: 600, href: `/v1/report-photos/${sha}`, thumbnailHref: `/v1/report-photos/${sha}/thumbnail` },
    });
    expect(await put(sha.toUpperCase(), jpeg)).toEqual({ status: 200, body: first.body });

    expect((await get(first.body.href)).status).toBe(401);
    expect((await get(first.body.thumbnailHref)).status).toBe(401);
    const crew = await get(first.body.href, await token('crew'));
    expect(crew.status).toBe(403);
    expect(JSON.parse(crew.bytes.toString())).toMatchObject({ error: 'ROLE_NOT_ALLOWED' });
    for (const role of ['dispatcher', 'inspector', 'analyst', 'admin'] as const) {
      const original = await get(first.body.href, await token(role));
      expect(original).toMatchObject({ status: 200, type: 'image/jpeg' });
      expect(sha256Hex(original.bytes)).toBe(sha);
    }
    const thumbnail = await get(first.body.thumbnailHref, await token('dispatcher'));
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    const unknown = await get(`/v1/report-photos/${'cd'.repeat(32)}`, await token('dispatcher'));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.bytes.toString())).toMatchObject({ error: 'PHOTO_NOT_FOUND' });
  });

  it('refuses a file over the size limit, of the wrong or an unknown type, cut short, or not matching its digest, naming the problem, and keeps none of them', async () => {
    const big = Buffer.alloc(MAX_BYTES + 1, 1);
    big.set([0xff, 0xd8, 0xff, 0xe0], 0);
    const tooLarge = await put(sha256Hex(big), big);
    expect(tooLarge).toMatchObject({ status: 413, body: { error: 'PHOTO_TOO_LARGE', message: `the photo is ${MAX_BYTES + 1} bytes; at most ${MAX_BYTES} bytes are accepted` } });

    const png = await plainPng(7);
    const renamed = await put(sha256Hex(png), png, 'image/jpeg');
    expect(renamed).toMatchObject({ status: 415, body: { error: 'PHOTO_TYPE_MISMATCH', message: expect.stringContaining('the file is a PNG image but was sent as image/jpeg') } });

    const jpeg = await cameraJpeg({ seed: 12 });
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.7));
    const truncated = await put(sha256Hex(cut), cut);
    expect(truncated).toMatchObject({ status: 400, body: { error: 'PHOTO_TRUNCATED', message: expect.stringMatching(/^the photo is incomplete: the JPEG/) } });

    const mismatch = await put('ab'.repeat(32), jpeg);
    expect(mismatch).toMatchObject({ status: 400, body: { error: 'PHOTO_HASH_MISMATCH', fields: [{ field: 'sha256', message: `the body's digest is ${sha256Hex(jpeg)}` }] } });

    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    expect(await put(sha256Hex(gif), gif, 'image/gif')).toMatchObject({ status: 415, body: { error: 'PHOTO_TYPE_UNSUPPORTED' } });
    expect(await put('not-a-digest', jpeg)).toMatchObject({ status: 400, body: { fields: [{ field: 'sha256' }] } });

    const dispatcher = await token('dispatcher');
    for (const refused of [png, cut, jpeg, gif]) expect((await get(`/v1/report-photos/${sha256Hex(refused)}`, dispatcher)).status).toBe(404);
  });
});
