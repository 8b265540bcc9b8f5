import { Browser, ConsoleMessage, Page, chromium } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (no browser download): headless, without the sandbox
 * (tests may run as root in a container), GPU or /dev/shm.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * Collects the page's console errors and uncaught exceptions, so a test can assert there were none.
 * A request the page makes and the API refuses (a route not deployed yet) is logged by Chromium as
 * "Failed to load resource"; the page handles those, so they are left out.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('pageerror', (e: Error) => errors.push(e.message));
  return errors;
}

interface SvgPath {
  getTotalLength(): number;
  getPointAtLength(at: number): { x: number; y: number };
  getScreenCTM(): { a: number; b: number; c: number; d: number; e: number; f: number } | null;
}

/**
 * Clicks an SVG path where it is drawn: at a point `along` its length (a fraction; not the middle
 * by default, where a map puts symbols). A click at the centre of a curved line's bounding box
 * could miss the line.
 */
export async function clickPath(page: Page, selector: string, along = 0.25): Promise<void> {
  const point = await page.$eval(selector, (el, at) => {
    const path = el as unknown as SvgPath;
    const p = path.getPointAtLength(path.getTotalLength() * at);
    const m = path.getScreenCTM()!;
    return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
  }, along);
  await page.mouse.click(point.x, point.y);
}
