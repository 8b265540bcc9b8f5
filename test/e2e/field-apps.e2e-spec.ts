import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { E2E_AUTH_ENV, bearer } from '../support/auth-tokens';
import { launchChromium, pageErrors } from '../support/browser';
import { freePort, isolatedEnv, runId } from '../support/environment';
import { deleteTopicsWithPrefix, testKafka } from '../support/kafka-probe';
import { cameraJpeg, northOf, plainPng, sha256Hex } from '../support/photos';
import { RunningService, SAMPLE_SEGMENTS, runServiceCli, startService } from '../support/service-process';
import { deleteRedisPrefix, dropSchemas } from '../support/stores';
import { waitFor } from '../support/wait-for';
import type { ListedTask, TaskDetail } from '@roadloop/contracts';

jest.setTimeout(240_000);

const box = (a: number, b: number, c: number, d: number) => ({ type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] });


/**
 * The field apps in Chromium against the three built services: a road crew on a phone-sized
 * screen works a task through, takes photos with EXIF positions, submits while offline and is sent
 * once when the network returns; the inspector's queue shows the photos and the checks, the
 * inspector verifies, and the map recolours the road. A photo taken 2 km away is flagged; photos
 * the evidence store refuses are refused through the gateway and shown in the crew's language.
 */
describe('field apps in a browser', () => {
  const id = runId('field');
  const schemas = { risk: `risk_${id}`, task: `task_${id}` };
  const photoDir = mkdtempSync(join(tmpdir(), 'field-photos-'));
  const common = { ...isolatedEnv(id), PROFILE_RELAY_MS: '200', OUTBOX_POLL_MS: '100', PHOTO_STORE_DIR: photoDir, ...E2E_AUTH_ENV };
  const tokens = { admin: bearer('admin', 'root'), dispatcher: bearer('dispatcher', 'dora'), inspector: bearer('inspector', 'ivan') };
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
    // One township with one crew, before the risk service announces the segments, so that every task goes to that crew.
    expect((await api('PUT', '/v1/jurisdictions/west', tokens.admin, { name: 'West township', geometry: box(1.5, 42.49, 1.53, 42.52) })).status).toBe(200);
    expect((await api('PUT', '/v1/crews/west-1', tokens.admin, { name: 'Crew west 1', jurisdictionId: 'west' })).status).toBe(200);
    services.push(await startService('risk-service', riskPort, { ...common, DB_SCHEMA: schemas.risk }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.allSettled(services.map((s) => s.stop()));
    const kafka = testKafka(`${id}-cleanup`);
    await deleteTopicsWithPrefix(kafka, id);
    await dropSchemas([schemas.risk, schemas.task]);
    await deleteRedisPrefix(`${id}:`);
    rmSync(photoDir, { recursive: true, force: true });
  });

  async function api(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: token } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  const crewToken = bearer('crew', 'wang', 'west-1');
  const detail = async (taskId: string) => (await api('GET', `/v1/tasks/${taskId}`, tokens.dispatcher)).body as TaskDetail;
  const statusIs = (taskId: string, status: string) =>
    waitFor(`task ${taskId} ${status}`, async () => ((await detail(taskId)).status === status ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });

  /** The task of a countermeasure on a segment, once it is assigned to the crew. */
  const assignedTask = (segmentId: string, countermeasure: string) =>
    waitFor(`the ${countermeasure} task of ${segmentId}, assigned`, async () => {
      const { body } = await api('GET', `/v1/tasks?segmentId=${segmentId}`, tokens.dispatcher);
      const task = (body.items as ListedTask[]).find((t) => t.countermeasure === countermeasure);
      return task?.crewId && task.location ? task : undefined;
    });

  /** A phone: small screen, touch, the crew's position where the task is, a language. */
  async function phone(at: { lon: number; lat: number }, locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale,
      geolocation: { longitude: at.lon, latitude: at.lat, accuracy: 8 },
      permissions: ['geolocation'],
    });
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`${gateway.url}/crew/#token=${crewToken.replace(/^Bearer /, '')}`);
    return { context, page, errors };
  }

  /** Opens a task in the crew app, accepts and starts it, each confirmed by the server. */
  async function acceptAndStart(page: Page, task: ListedTask) {
    await page.click(`li[data-task-id="${task.id}"] a`);
    await page.waitForSelector(`article.task[data-task-id="${task.id}"]`);
    await page.click('#accept');
    await statusIs(task.id, 'accepted');
    await page.click('#start');
    await statusIs(task.id, 'in_progress');
    await page.waitForSelector('article.task[data-status="in_progress"] #photo-input', { state: 'attached' });
  }

  /**
   * The phone loses its network. With Chromium's offline emulation alone, the offline submission
   * once reached the server in a CI run (not reproduced since), so the context's API calls are also
   * refused as a phone without a network refuses them.
   */
  const noNetwork = (route: Route) => route.abort('internetdisconnected');
  async function goOffline(context: BrowserContext) {
    await context.route('**/v1/**', noNetwork);
    await context.setOffline(true);
  }
  async function goOnline(context: BrowserContext) {
    await context.unroute('**/v1/**', noNetwork);
    await context.setOffline(false);
  }

  const jpegFile = async (name: string, at: { lon: number; lat: number }) => ({
    name,
    mimeType: 'image/jpeg',
    // After the acceptance, which the server timed (EXIF times have whole seconds).
    buffer: await cameraJpeg({ at, takenAt: new Date(Date.now() + 2_000), width: 640, height: 480 }),
  });

  it('lets a crew confirm a fix offline, sends it once when the network returns, and the inspector verifies it from the photos', async () => {
    // A critical rockfall on the road: clearing it, once verified, resolves the hazard and lowers the road's risk.
    expect((await api('POST', '/v1/hazards', '', { category: 'rockfall', severity: 'critical', lon: 1.5223, lat: 42.50665, description: 'Boulders on the lane' })).status).toBe(202);
    const task = await assignedTask('w900001-1', 'rockfall_clearing');
    const place = task.location!;
    const { context, page, errors } = await phone(place);

    // The service worker takes charge of the app, so that it opens without a network.
    await page.waitForFunction(() => (globalThis as unknown as { navigator: { serviceWorker?: { controller: unknown } } }).navigator.serviceWorker?.controller != null);
    const card = page.locator(`li[data-task-id="${task.id}"]`);
    await card.waitFor();
    await card.locator('.distance').waitFor();
    expect(await card.locator('.distance').textContent()).toMatch(/^0(\.\d)? km from you$/);
    await acceptAndStart(page, task);
    await page.waitForSelector('#task-map[data-drawn="segment"]');
    expect(await page.getAttribute('a.navigate', 'href')).toBe(`geo:${place.lat.toFixed(6)},${place.lon.toFixed(6)}?q=${place.lat.toFixed(6)},${place.lon.toFixed(6)}`);

    const photos = [await jpegFile('fix-before.jpg', place), await jpegFile('fix-after.jpg', northOf(place, 10))];
    await page.setInputFiles('#photo-input', photos);
    await page.locator('#photos li[data-state="sent"]').nth(1).waitFor();
    await page.click('#locate');
    await page.waitForSelector('#position[data-located="true"]');
    await page.fill('#notes', 'Boulders cleared, loose rock taken down');

    // Offline: the submission waits in the outbox, survives a reload, and the server has not seen it.
    await goOffline(context);
    await page.waitForSelector('#network[data-online="false"]');
    await page.click('#submit-evidence');
    await page.waitForSelector('#outbox[data-pending="1"] li[data-action="submit"][data-state="pending"]');
    await page.reload();
    await page.waitForSelector('#outbox[data-pending="1"] li[data-action="submit"][data-state="pending"]');
    // The task as the service worker kept it, shown as it will be once the outbox is sent; its road drawn.
    await page.waitForSelector(`article.task[data-task-id="${task.id}"][data-status="submitted"]`);
    await page.waitForSelector('#task-map[data-drawn="segment"]');
    expect((await detail(task.id)).status).toBe('in_progress');

    await goOnline(context);
    await statusIs(task.id, 'submitted');
    await page.waitForSelector('#outbox', { state: 'hidden' });
    const submitted = await detail(task.id);
    expect(submitted.history.filter((h) => h.change === 'submitted')).toHaveLength(1);
    expect(submitted.evidence).toHaveLength(1);
    expect(submitted.evidence[0].photos).toEqual(photos.map((p) => expect.objectContaining({ sha256: sha256Hex(p.buffer), uploaded: true })));
    expect(submitted.evidence[0].notes).toBe('Boulders cleared, loose rock taken down');
    expect(submitted.checks.map((c) => [c.check, c.passed])).toEqual([['photos', true], ['position', true], ['timing', true], ['exif', true]]);
    expect(errors).toEqual([]);
    await context.close();

    // The map, open beside the queue, to see the road recoloured when the fix is verified.
    const mapPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await mapPage.goto(`${gateway.url}/map#map=14/42.5195/1.5500&token=${tokens.dispatcher.replace(/^Bearer /, '')}`);
    await mapPage.waitForSelector('#map[data-segments-drawn="3"]');
    await mapPage.waitForSelector('#live[data-live="on"]');
    const before = await mapPage.getAttribute('path[data-segment-id="w900001-1"]', 'data-level');

    const inspector = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const inspectorErrors = pageErrors(inspector);
    await inspector.goto(`${gateway.url}/inspector/#token=${tokens.inspector.replace(/^Bearer /, '')}`);
    const item = inspector.locator(`#queue li[data-task-id="${task.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-checks-passed')).toBe('true');
    expect(await item.locator('.checks li[data-passed="true"]').count()).toBe(4);
    await item.locator('.photos img[data-loaded="true"]').nth(1).waitFor();
    expect(await item.locator('.photos li[data-flagged="false"]').count()).toBe(2);
    await item.locator('.photos button.thumb').first().click();
    await inspector.waitForSelector('#viewer[open] #viewer-img[src^="blob:"]');
    expect(await inspector.getAttribute('#viewer-img', 'data-sha256')).toBe(sha256Hex(photos[0].buffer));
    expect(await inspector.evaluate("document.getElementById('viewer-img').naturalWidth")).toBe(640);
    await inspector.click('#viewer button[type="submit"]');
    await item.locator('button.verify').click();
    await item.waitFor({ state: 'detached' });
    await statusIs(task.id, 'verified');

    // The verified clearing resolves the rockfall: the road's level drops and the map recolours it live.
    await waitFor('the road recoloured', async () => ((await mapPage.getAttribute('path[data-segment-id="w900001-1"]', 'data-level')) !== before ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(inspectorErrors).toEqual([]);
    await inspector.close();
    await mapPage.close();
  });

  it('flags in the inspector\'s queue a photo whose EXIF position is 2 km from the task', async () => {
    // The roadside survey that the mandatory-protection rule opens for the riverside segment on import.
    const task = await assignedTask('w900001-0', 'roadside_survey');
    const place = task.location!;
    const { context, page, errors } = await phone(place);
    await page.locator(`li[data-task-id="${task.id}"]`).waitFor();
    await acceptAndStart(page, task);
    const far = await jpegFile('far.jpg', northOf(place, 2_000));
    await page.setInputFiles('#photo-input', [await jpegFile('near.jpg', place), far]);
    await page.locator('#photos li[data-state="sent"]').nth(1).waitFor();
    await page.click('#submit-evidence');
    await statusIs(task.id, 'submitted');
    expect(errors).toEqual([]);
    await context.close();

    const inspector = await browser.newPage();
    await inspector.goto(`${gateway.url}/inspector/#token=${tokens.inspector.replace(/^Bearer /, '')}`);
    const item = inspector.locator(`#queue li[data-task-id="${task.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-checks-passed')).toBe('false');
    expect(await item.locator('.checks li[data-check="exif"]').getAttribute('data-passed')).toBe('false');
    expect(await item.locator('.checks li[data-check="exif"]').textContent()).toMatch(/taken \d{4} m from the segment \(limit 100 m\)/);
    expect(await item.locator('.checks li[data-check="position"]').getAttribute('data-passed')).toBe('true');
    expect(await item.locator(`.photos li[data-sha256="${sha256Hex(far.buffer)}"]`).getAttribute('data-flagged')).toBe('true');
    expect(await item.locator('.photos li[data-flagged="true"]').count()).toBe(1);
    await inspector.close();
  });

  it('refuses uploads too large, of another type than named, cut short or not matching their digest, through the gateway', async () => {
    expect((await api('POST', '/v1/hazards', '', { category: 'pothole', severity: 'high', lon: 1.5223, lat: 42.50665 })).status).toBe(202);
    const task = await assignedTask('w900001-1', 'surface_repair');
    for (const action of ['accept', 'start']) expect((await api('POST', `/v1/tasks/${task.id}/${action}`, crewToken, {})).status).toBe(200);
    const put = async (sha256: string, body: Buffer, contentType = 'image/jpeg') => {
      const res = await fetch(`${gateway.url}/v1/tasks/${task.id}/photos/${sha256}`, { method: 'PUT', headers: { authorization: crewToken, 'content-type': contentType }, body });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const huge = Buffer.alloc(50 * 1024 * 1024, 7);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    expect(await put(sha256Hex(huge), huge)).toMatchObject({ status: 413, body: { error: 'PHOTO_TOO_LARGE', message: expect.stringContaining(`the photo is ${50 * 1024 * 1024} bytes`) } });
    const png = await plainPng();
    expect(await put(sha256Hex(png), png)).toMatchObject({ status: 415, body: { error: 'PHOTO_TYPE_MISMATCH', message: expect.stringContaining('a PNG image but was sent as image/jpeg') } });
    const jpeg = await cameraJpeg({ at: task.location! });
    const cut = jpeg.subarray(0, jpeg.length - 200);
    expect(await put(sha256Hex(cut), cut)).toMatchObject({ status: 400, body: { error: 'PHOTO_TRUNCATED' } });
    expect(await put(sha256Hex(png), jpeg)).toMatchObject({ status: 400, body: { error: 'PHOTO_HASH_MISMATCH', fields: [{ field: 'sha256' }] } });
    expect((await put(sha256Hex(jpeg), jpeg)).status).toBe(201);
    // Another crew neither attaches nor reads.
    const stranger = bearer('crew', 'li', 'east-9');
    expect((await fetch(`${gateway.url}/v1/tasks/${task.id}/photos/${sha256Hex(jpeg)}`, { headers: { authorization: stranger } })).status).toBe(403);
  });

  it('shows the refusals in the crew\'s language', async () => {
    const task = await assignedTask('w900001-1', 'surface_repair');
    const { context, page } = await phone(task.location!, 'zh-CN');
    await page.locator(`li[data-task-id="${task.id}"] a`).click();
    await page.waitForSelector('article.task[data-status="in_progress"] #photo-input', { state: 'attached' });
    expect(await page.textContent('#evidence-title')).toBe('整改证据');
    const jpeg = await cameraJpeg({ at: task.location! });
    await page.setInputFiles('#photo-input', [
      { name: 'renamed.jpg', mimeType: 'image/jpeg', buffer: await plainPng(3) },
      { name: 'cut.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, jpeg.length - 300) },
    ]);
    // The first refusal holds back the second (in order): it is refused once the first is removed.
    const renamed = page.locator('#photos li[data-state="refused"]', { hasText: 'renamed.jpg' });
    await renamed.waitFor();
    expect(await renamed.locator('.error').textContent()).toBe('照片 renamed.jpg 的实际格式与文件名不符（例如 PNG 文件被命名为 .jpg）。');
    expect(await page.locator('#outbox li[data-state="refused"] .state').textContent()).toBe('未发送：服务器拒绝');
    await renamed.locator('button.remove').click();
    const cut = page.locator('#photos li[data-state="refused"]', { hasText: 'cut.jpg' });
    await cut.waitFor();
    expect(await cut.locator('.error').textContent()).toBe('照片 cut.jpg 不完整（文件被截断），请重新拍摄。');
    await context.close();
  });
});
