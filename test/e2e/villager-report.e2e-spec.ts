import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Browser, BrowserContext } from 'playwright-core';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { launchChromium, pageErrors } from '../support/browser';
import { freePort, isolatedEnv, runId } from '../support/environment';
import { cameraJpeg, plainPng, sha256Hex } from '../support/photos';
import { deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';
import type { ListedTask } from '@roadloop/contracts';

jest.setTimeout(240_000);

const box = (a: number, b: number, c: number, d: number) => ({ type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] });
/** On the sample's second riverside piece (w900001-1), and on the first (w900001-0). */
const ON_ROAD = { lat: 42.50665, lon: 1.5223 };
const ON_RIVER_BEND = { lat: 42.5057, lon: 1.521 };
/** Away from the sample's roads and out of the map's view in the Open311 test, which counts the hazards it draws. */
const AWAY = { lat: 42.53, lon: 1.58 };


/**
 * The villager's page and Open311 against the three built services in Chromium: a villager on a
 * phone reports a rockfall at the GPS position the browser gives, follows it with the tracking code
 * from "received" through "matched to a road" to "fixed" once a crew and an inspector (through the
 * API) verify its task; an Open311 client's form-encoded request becomes a hazard on the map; the
 * page speaks Chinese when the browser or the switch asks.
 */
describe('villager reporting page and Open311', () => {
  const id = runId('villager');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const common = { ...isolatedEnv(id), PROFILE_RELAY_MS: '200', OUTBOX_POLL_MS: '100', ...E2E_AUTH_ENV };
  const tokens = {
    admin: bearer('admin', 'root'),
    dispatcher: bearer('dispatcher', 'dora'),
    inspector: bearer('inspector', 'ivan'),
    crew: bearer('crew', 'wang', 'west-1'),
  };
  const services: RunningService[] = [];
  let gateway: RunningService;
  let browser: Browser;

  beforeAll(async () => {
    expect(runServiceCli('risk-service', ['import', '--geojson', SAMPLE_SEGMENTS], { ...common, DB_SCHEMA: schemas.risk }).status).toBe(0);
    const [riskPort, taskPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const task = await startService('task-service', taskPort, { ...common, DB_SCHEMA: schemas.task });
    services.push(task);
    gateway = await startService('ingest-gateway', gatewayPort, { ...common, RISK_SERVICE_URL: `http://127.0.0.1:${riskPort}`, TASK_SERVICE_URL: task.url });
    services.push(gateway);
    // One township with one crew, before the risk service announces the segments.
    expect((await api('PUT', '/v1/jurisdictions/west', tokens.admin, { name: 'West township', geometry: box(1.5, 42.49, 1.6, 42.55) })).status).toBe(200);
    expect((await api('PUT', '/v1/crews/west-1', tokens.admin, { name: 'Crew west-1', jurisdictionId: 'west' })).status).toBe(200);
    services.push(await startService('risk-service', riskPort, { ...common, DB_SCHEMA: schemas.risk }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.allSettled(services.map((s) => s.stop()));
    await deleteTopicsWithPrefix(testKafka(`${id}-cleanup`), id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
  });

  async function api(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const phone = (options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> =>
    browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-US', ...options });

  it('takes a villager from a report at the GPS position to "fixed" once the task is verified', async () => {
    const context = await phone({ geolocation: { latitude: ON_ROAD.lat, longitude: ON_ROAD.lon, accuracy: 12 }, permissions: ['geolocation'] });
    const page = await context.newPage();
    const errors = pageErrors(page);
    const response = await page.goto(`${gateway.url}/report`);
    // The map's policy: this origin only, no inline code; the position may be asked for, the camera not.
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response!.headers()['permissions-policy']).toBe('geolocation=(self), camera=(self), microphone=()');
    expect(await page.textContent('h1')).toBe('Report a road hazard');
    // Pictures, not only words: every category has its drawing.
    expect(await page.locator('#categories svg[data-icon]').count()).toBe(11);

    // Sending without a choice says what is missing.
    await page.click('#send');
    expect(await page.textContent('#form-error')).toContain('Choose what the danger is.');

    await page.click('label[for="category-rockfall"]');
    await page.click('label[for="severity-critical"]');
    await page.click('#locate');
    await page.waitForSelector('#pin-map[data-placed="gps"]');
    expect(await page.textContent('#place-status')).toContain('within 12 m');
    await page.fill('#description', 'Boulders across the lane after the bend');
    await page.click('#send');
    await page.waitForSelector('#sent:not([hidden])');
    const code = (await page.textContent('#tracking-code'))!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    // The tracking page: placed on the road, then linked to the rockfall task that the report opened.
    await page.click('#tracking-link');
    await page.waitForSelector('#progress[data-stage="linked"]', { timeout: 60_000 });
    expect(await page.textContent('#stages li[data-stage="matched"].done')).toBe('Matched to a road');
    expect(await page.textContent('#facts')).toContain('Sample riverside road');
    expect(new URL(page.url()).hash).toBe(`#code=${code}`);

    // The crew fixes it on site and the inspector verifies it, through the API with their tokens.
    const task = await waitFor('the rockfall task, assigned to the crew', async () => {
      const { body } = await api('GET', '/v1/tasks?segmentId=w900001-1', tokens.dispatcher);
      return (body.items as ListedTask[]).find((t) => t.countermeasure === 'rockfall_clearing' && t.crewId === 'west-1');
    });
    const path = `/v1/tasks/${task.id}`;
    expect((await api('POST', `${path}/accept`, tokens.crew, {})).body).toMatchObject({ status: 'accepted' });
    expect((await api('POST', `${path}/start`, tokens.crew, {})).body).toMatchObject({ status: 'in_progress' });
    const evidence = {
      photos: [{ url: 'https://photos.example.org/rockfall-cleared.jpg', sha256: 'ab'.repeat(32) }],
      position: { lon: ON_ROAD.lon, lat: ON_ROAD.lat, accuracyM: 6 },
      capturedAt: new Date().toISOString(),
      notes: 'boulders removed',
    };
    expect((await api('POST', `${path}/submit`, tokens.crew, { evidence })).body).toMatchObject({ status: 'submitted' });
    expect((await api('POST', `${path}/verify`, tokens.inspector, {})).body).toMatchObject({ status: 'verified' });

    // The page asks again by itself while the report is open.
    await page.waitForSelector('#progress[data-stage="fixed"]', { timeout: 60_000 });
    expect(await page.textContent('#stages li.current')).toBe('Fixed');
    expect(await page.locator('#stages li.done').count()).toBe(4);
    // Open311 tells the same story by the same id.
    const open311 = (await (await fetch(`${gateway.url}/open311/v2/requests/${code}.json`)).json()) as { status: string }[];
    expect(open311[0]!.status).toBe('closed');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends a photo with a report, after a refused one is shown with its code, and only staff can see it', async () => {
    const context = await phone({ geolocation: { latitude: AWAY.lat, longitude: AWAY.lon, accuracy: 8 }, permissions: ['geolocation'] });
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`${gateway.url}/report`);
    expect(await page.getAttribute('#photo', 'capture')).toBe('environment');
    expect(await page.getAttribute('#photo', 'accept')).toBe('image/*');
    await page.click('label[for="category-debris"]');
    await page.click('label[for="severity-high"]');
    await page.click('#locate');
    await page.waitForSelector('#pin-map[data-placed="gps"]');

    // A photo cut short is refused with the server's code, and nothing is reported.
    const jpeg = await cameraJpeg({ at: AWAY, seed: 31 });
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    await page.setInputFiles('#photo', { name: 'debris.jpg', mimeType: 'image/jpeg', buffer: cut });
    await page.waitForSelector('#photo-preview:not([hidden])');
    await page.click('#send');
    await page.waitForSelector('#photo-status[data-code="PHOTO_TRUNCATED"]');
    expect(await page.textContent('#photo-status')).toBe(
      'The photo was not accepted: the file is incomplete (cut short) (error PHOTO_TRUNCATED). Remove it to send the report without it, or choose another.',
    );
    expect(await page.textContent('#form-error')).toBe('The report was not sent because of its photo (see above).');
    expect(await page.isHidden('#sent')).toBe(true);

    // Another photo, whole: it goes first, then the report with its URL.
    await page.setInputFiles('#photo', { name: 'debris.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    expect(await page.getAttribute('#photo-status', 'data-code')).toBeNull();
    await page.click('#send');
    await page.waitForSelector('#sent:not([hidden])');
    const code = (await page.textContent('#tracking-code'))!;
    const photoUrl = `${gateway.url}/v1/report-photos/${sha256Hex(jpeg)}`;

    // The stored hazard carries the photo's URL (the risk service's record, read by its tracking code).
    const stored = await waitFor('the hazard with its photo', async () => {
      const res = await fetch(`${gateway.url}/v1/hazards/${code}/status`);
      return res.status === 200 ? ((await res.json()) as { photoUrls: string[] }) : undefined;
    });
    expect(stored.photoUrls).toEqual([photoUrl]);
    // A dispatcher sees the photo and its thumbnail; nobody without a token does, nor a crew.
    const seen = await fetch(photoUrl, { headers: { authorization: tokens.dispatcher } });
    expect(seen.status).toBe(200);
    expect(seen.headers.get('content-type')).toBe('image/jpeg');
    expect(sha256Hex(Buffer.from(await seen.arrayBuffer()))).toBe(sha256Hex(jpeg));
    expect((await fetch(`${photoUrl}/thumbnail`, { headers: { authorization: tokens.dispatcher } })).headers.get('content-type')).toBe('image/jpeg');
    expect((await fetch(photoUrl)).status).toBe(401);
    expect((await fetch(photoUrl, { headers: { authorization: tokens.crew } })).status).toBe(403);
    expect(errors).toEqual([]);
    await context.close();

    // In Chinese, a PNG sent as a JPEG is refused in Chinese, and the report goes without it once the photo is removed.
    const chinese = await phone({ locale: 'zh-CN', geolocation: { latitude: AWAY.lat, longitude: AWAY.lon, accuracy: 8 }, permissions: ['geolocation'] });
    const zh = await chinese.newPage();
    await zh.goto(`${gateway.url}/report`);
    await zh.waitForSelector('html[lang="zh-CN"]');
    await zh.click('label[for="category-ice"]');
    await zh.click('label[for="severity-medium"]');
    await zh.click('#locate');
    await zh.waitForSelector('#pin-map[data-placed="gps"]');
    await zh.setInputFiles('#photo', { name: 'ice.jpg', mimeType: 'image/jpeg', buffer: await plainPng(32) });
    await zh.click('#send');
    await zh.waitForSelector('#photo-status[data-code="PHOTO_TYPE_MISMATCH"]');
    expect(await zh.textContent('#photo-status')).toContain('照片未被接受：文件类型与文件名不符');
    await zh.click('#photo-remove');
    await zh.click('#send');
    await zh.waitForSelector('#sent:not([hidden])');
    const withoutPhoto = (await zh.textContent('#tracking-code'))!;
    const plain = await waitFor('the report without a photo', async () => {
      const res = await fetch(`${gateway.url}/v1/hazards/${withoutPhoto}/status`);
      return res.status === 200 ? ((await res.json()) as { photoUrls: string[]; category: string }) : undefined;
    });
    expect(plain).toMatchObject({ category: 'ice', photoUrls: [] });
    await chinese.close();
  });

  it("puts an Open311 client's form-encoded request on the map, which speaks Chinese too", async () => {
    const res = await fetch(`${gateway.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ service_code: 'pothole', lat: String(ON_RIVER_BEND.lat), long: String(ON_RIVER_BEND.lon), description: 'Deep hole', 'attribute[severity]': 'high' }).toString(),
    });
    expect(res.status).toBe(201);
    const [{ service_request_id: requestId }] = (await res.json()) as { service_request_id: string }[];

    // A hazard of the risk service (GET /v1/hazards), placed on the river bend…
    const feature = await waitFor('the Open311 request as a hazard', async () => {
      const { body } = await api('GET', '/v1/hazards?bbox=1.5,42.5,1.53,42.51&status=open&format=geojson', tokens.dispatcher);
      return (body.features as { id: string; properties: { segmentId: string; category: string } }[]).find((f) => f.id === requestId);
    });
    expect(feature.properties).toMatchObject({ segmentId: 'w900001-0', category: 'pothole' });
    const xml = await (await fetch(`${gateway.url}/open311/v2/requests/${requestId}.xml`)).text();
    expect(xml).toContain('<status>open</status>');
    expect(xml).toContain('<address>Sample riverside road</address>');

    // …and a symbol on the dispatcher's map.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${gateway.url}/map#map=16/${ON_RIVER_BEND.lat}/${ON_RIVER_BEND.lon}&token=${tokens.dispatcher.replace(/^Bearer /, '')}`);
    await page.waitForSelector('#map[data-hazards-drawn="1"]');
    expect(await page.locator('.sym-hazard.sev-high').count()).toBe(1);
    expect(await page.getAttribute('.sym-hazard.sev-high', 'title')).toBe('Hazard: pothole (high)');

    // The map's switch: the page comes back in Chinese, still signed in, at the same place.
    const errors = pageErrors(page);
    await page.selectOption('.language-switch', 'zh-CN');
    await page.waitForSelector('html[lang="zh-CN"]');
    await page.waitForSelector('#map[data-hazards-drawn="1"]');
    expect(await page.textContent('#legend-title')).toBe('图例');
    expect(await page.textContent('#legend li[data-level="very_high"]')).toContain('很高风险');
    expect(await page.getAttribute('.sym-hazard.sev-high', 'title')).toBe('隐患：路面坑洞（严重）');
    expect(await page.textContent('#sign-out')).toBe('退出登录');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('speaks Chinese when the browser asks for it or the switch is used, and keeps the choice', async () => {
    const chinese = await phone({ locale: 'zh-CN' });
    const page = await chinese.newPage();
    const errors = pageErrors(page);
    await page.goto(`${gateway.url}/report`);
    await page.waitForSelector('html[lang="zh-CN"]');
    expect(await page.textContent('h1')).toBe('报告道路隐患');
    expect(await page.textContent('label[for="category-rockfall"]')).toBe('落石');
    await chinese.close();

    const english = await phone();
    const other = await english.newPage();
    await other.goto(`${gateway.url}/report/track`);
    await other.waitForSelector('html[lang="en"]');
    expect(await other.textContent('h1')).toBe('Follow your report');
    await other.selectOption('.language-switch', 'zh-CN');
    await other.waitForSelector('html[lang="zh-CN"]');
    expect(await other.textContent('h1')).toBe('查询您的报告');
    await other.goto(`${gateway.url}/report`);
    await other.waitForSelector('html[lang="zh-CN"]');
    expect(await other.textContent('#send')).toBe('提交报告');
    expect(errors).toEqual([]);
    await english.close();
  });
});
