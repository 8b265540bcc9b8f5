import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';
import { configureApp } from '@roadloop/http';
import { ContractsController } from '../contracts.controller';
import { I18nController } from '../i18n/i18n.controller';
import { MapController } from '../map/map.controller';

/** The gateway's public files and documents, as a careless or hostile client asks for them. */
describe('public files and contract documents', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [MapController, I18nController, ContractsController] }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  it.each(['/map/%00', '/map/app.js%00', '/i18n/%00.json'])('%s is a 400 naming the path, not a 500', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string; fields: { field: string }[] };
    expect(body).toMatchObject({ error: 'BAD_PATH', fields: [{ field: 'path' }] });
    expect(body.message).toContain(path.split('/')[1]);
  });

  it('a range past the end of a file is a 416, not a 500', async () => {
    const res = await fetch(`${base}/map/app.js`, { headers: { range: 'bytes=99999999-' } });
    expect(res.status).toBe(416);
  });

  it.each(['/map/vendor/', '/map/vendor'])('%s, a folder without a file, is a 404, not a 500', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('a missing file is a 404 naming it', async () => {
    const res = await fetch(`${base}/map/nope.js`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'NOT_FOUND', message: 'no file /map/nope.js' });
  });

  it('serves the AsyncAPI document', async () => {
    const res = await fetch(`${base}/asyncapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { asyncapi: string; channels: Record<string, { address: string }> };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c) => c.address)).toContain('roadloop.accident.reported.v1');
  });

  it('serves each topic’s JSON Schema', async () => {
    const res = await fetch(`${base}/schemas/roadloop.accident.reported.v1.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ title: 'roadloop.accident.reported.v1', type: 'object', additionalProperties: false });
  });

  it.each(['/schemas/roadloop.nope.reported.v1.json', '/schemas/%00.json', '/schemas/asyncapi'])('%s is a 404 listing the schemas there are', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('/schemas/roadloop.hazard.reported.v1.json');
  });
});
