import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash, randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthModule, signToken } from '@roadloop/auth';
import { configureApp } from '@roadloop/http';
import { RateLimitModule } from '@roadloop/persistence';
import { deleteRedisPrefix } from '../../../../test/support/stores';
import { GATEWAY_CONFIG, loadGatewayConfig } from '../config';
import { ForwardingController } from '../forwarding/forwarding.controller';
import { UpstreamClient } from '../upstream.client';
import { REPORT_PHOTO_BUDGET, ReportPhotoUploadController } from './report-photo-upload.controller';

jest.setTimeout(30_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const auth = { secret: 'report-photo-upload-int-secret-0123456789', issuer: 'roadloop', audience: 'roadloop-api', clockSkewS: 30 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  bytes: Buffer;
}

/** The task service's report-photo routes as a stand-in: an upload answers 201 with its href, a read the bytes. */
function taskService(seen: Seen[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], bytes: Buffer.concat(chunks) });
      const sha = req.url!.split('/')[3];
      if (req.method === 'PUT') res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sha256: sha, href: `/v1/report-photos/${sha}` }));
      else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from('jpeg bytes'));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * The gateway's report-photo upload with its rate budget counted in Redis and a stand-in task
 * service: anonymous uploads limited per address apart from hazard reports, the answer's absolute
 * URL, and reads forwarded only with a token.
 */
describe(ReportPhotoUploadController.name, () => {
  const prefix = `int-report-photo-${randomBytes(4).toString('hex')}:`;
  const seen: Seen[] = [];
  let task: Server;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    task = await taskService(seen);
    const config = loadGatewayConfig({ TASK_SERVICE_URL: `http://127.0.0.1:${(task.address() as AddressInfo).port}`, JWT_SECRET: auth.secret, PHOTO_MAX_BYTES: '4096' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot(auth),
        RateLimitModule.forRoot({ redis: { url: REDIS_URL, keyPrefix: prefix }, limit: { limit: 100, windowS: 60 }, budgets: { [REPORT_PHOTO_BUDGET]: { limit: 3, windowS: 600 } } }),
      ],
      controllers: [ReportPhotoUploadController, ForwardingController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, UpstreamClient],
    }).compile();
    app = configureApp(moduleRef.createNestApplication({ bodyParser: false, logger: false }));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    task?.closeAllConnections();
    task?.close();
    await deleteRedisPrefix(prefix);
  });

  const put = (body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/report-photos/${sha256(body)}`, { method: 'PUT', headers: { 'content-type': 'image/jpeg', ...headers }, body });

  it('passes an anonymous upload on as bytes, answers with its URL, and refuses the address past its own budget with 429 and Retry-After', async () => {
    const dispatcher = `Bearer ${await signToken({ sub: 'dora', role: 'dispatcher', ttlS: 600 }, auth)}`;
    const photo = randomBytes(512);
    const first = await put(photo);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ sha256: sha256(photo), href: `/v1/report-photos/${sha256(photo)}`, url: `${base}/v1/report-photos/${sha256(photo)}` });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', url: `/v1/report-photos/${sha256(photo)}`, authorization: undefined, contentType: 'image/jpeg' });
    expect(seen.at(-1)!.bytes.equals(photo)).toBe(true);

    // Too large for the gateway: refused before the task service sees it, and counted.
    const before = seen.length;
    const big = await put(randomBytes(5000));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'PHOTO_TOO_LARGE' });
    expect(seen).toHaveLength(before);

    expect((await put(randomBytes(100))).status).toBe(201);
    const refused = await put(randomBytes(100));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(await refused.json()).toMatchObject({ error: 'RATE_LIMITED', message: expect.stringMatching(/at most 3 per 600 s/) });
    // A signed-in caller is not counted; a bad token is a 401, never anonymous.
    expect((await put(randomBytes(100), { authorization: dispatcher })).status).toBe(201);
    expect((await put(randomBytes(100), { authorization: 'Bearer nonsense' })).status).toBe(401);
  });

  it('forwards reads only with a token, which the task service checks', async () => {
    const sha = 'ab'.repeat(32);
    const before = seen.length;
    const anonymous = await fetch(`${base}/v1/report-photos/${sha}`);
    expect(anonymous.status).toBe(401);
    expect(seen).toHaveLength(before);
    const analyst = `Bearer ${await signToken({ sub: 'ana', role: 'analyst', ttlS: 600 }, auth)}`;
    const read = await fetch(`${base}/v1/report-photos/${sha}/thumbnail`, { headers: { authorization: analyst } });
    expect(read.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: `/v1/report-photos/${sha}/thumbnail`, authorization: analyst });
  });
});
