#!/usr/bin/env node
// Saves a screenshot of the risk map of a running gateway (the README's picture):
//
//   node services/ingest-gateway/scripts/map-screenshot.mjs --url http://127.0.0.1:3000 --out docs/images/map.png
//
// Signs a short-lived dispatcher token with JWT_SECRET / JWT_ISSUER / JWT_AUDIENCE from the
// environment (the development defaults when unset), opens the map at --view (zoom/lat/lon),
// waits for the roads, opens the detail of the riskiest road in view and saves the page.
// Chromium: CHROMIUM_PATH, or Debian's /usr/bin/chromium.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const { authOptionsFrom, signToken, signingConfigSchema } = require('@roadloop/auth');
const { loadConfig } = require('@roadloop/config');

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    out: { type: 'string', default: 'docs/images/map.png' },
    view: { type: 'string', default: '14/42.5080/1.5350' },
    width: { type: 'string', default: '1400' },
    height: { type: 'string', default: '900' },
  },
});

const token = await signToken({ sub: 'map-screenshot', role: 'dispatcher', ttlS: 600 }, authOptionsFrom(loadConfig('map-screenshot', signingConfigSchema)));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(values.width), height: Number(values.height) } });
  await page.goto(`${values.url}/map#map=${values.view}&token=${token}`);
  await page.waitForFunction(() => Number(document.querySelector('#map').dataset.segmentsDrawn) > 0, undefined, { timeout: 60_000 });
  await page.waitForSelector('#live[data-live="on"]', { timeout: 30_000 });
  await page.waitForSelector('#top-body li, #top-body .unavailable', { timeout: 30_000 });
  // The riskiest road drawn that a click reaches (not under a symbol), clicked where it is drawn.
  const point = await page.evaluate(() => {
    for (const level of ['very_high', 'high', 'medium', 'low', 'very_low']) {
      for (const el of document.querySelectorAll(`path[data-level="${level}"]`)) {
        const p = el.getPointAtLength(el.getTotalLength() / 2);
        const m = el.getScreenCTM();
        const at = { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
        const inMap = document.querySelector('#map').getBoundingClientRect();
        const inside = at.x > inMap.left + 80 && at.x < inMap.right - 80 && at.y > inMap.top + 80 && at.y < inMap.bottom - 80;
        if (inside && document.elementFromPoint(at.x, at.y) === el) return at;
      }
    }
    return null;
  });
  if (point) {
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('#detail .tasks', { timeout: 30_000 });
  }
  const out = resolve(process.cwd(), values.out);
  await page.screenshot({ path: out });
  process.stdout.write(`saved ${out}\n`);
} finally {
  await browser.close();
}
