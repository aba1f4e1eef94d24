// Fixtures for the browser tests: the running app (its address, demo credentials, database), a signed-in staff
// page shared by the steps of one spec file (a spec is one chain of steps; each file gets its own), and canvas helpers.
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { test as base, expect, type Browser, type Locator, type Page } from '@playwright/test';

export interface App {
  base: string;
  dataDir: string;
  apiKey: string;
  staffEmail: string;
  staffPassword: string;
  sql: postgres.Sql;
}

export async function signIn(browser: Browser, app: App, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: app.base });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  await page.goto('/login', { waitUntil: 'networkidle' });
  // Typing before React hydrates the form is lost: fill until the values stick.
  await expect(async () => {
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await expect(page.getByTestId('login-email')).toHaveValue(email, { timeout: 500 });
    await expect(page.getByTestId('login-password')).toHaveValue(password, { timeout: 500 });
  }).toPass({ timeout: 30_000 });
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/flows/);
  return page;
}

/** One signed-in page per spec file: the steps of a spec share it; the next spec starts on a fresh one. */
interface StaffPages { of(file: string): Promise<Page> }

export const test = base.extend<{ staff: Page }, { app: App; staffPages: StaffPages }>({
  app: [async ({}, use) => {
    const dataDir = process.env.E2E_DATA_DIR!;
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as { apiKey: string; staffPassword: string };
    const runtime = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8')) as { databaseUrl: string };
    const sql = postgres(runtime.databaseUrl, { max: 2, onnotice: () => {} });
    await use({ base: process.env.E2E_BASE_URL!, dataDir, apiKey: demo.apiKey, staffEmail: 'admin@demo.patchbay.dev', staffPassword: demo.staffPassword, sql });
    await sql.end();
  }, { scope: 'worker' }],
  staffPages: [async ({ browser, app }, use) => {
    const open: { file: string; page: Page }[] = [];
    await use({
      async of(file) {
        if (open[0]?.file === file) return open[0].page;
        // A spec left behind (say, an editor with unsaved changes that asks before leaving) is closed, not reused.
        for (const o of open.splice(0)) await o.page.context().close();
        open.push({ file, page: await signIn(browser, app, app.staffEmail, app.staffPassword) });
        return open[0].page;
      },
    });
    for (const o of open) await o.page.context().close();
  }, { scope: 'worker' }],
  staff: async ({ staffPages }, use, testInfo) => {
    await use(await staffPages.of(testInfo.file));
  },
});

export { expect };

// ---------------------------------------------------------------- canvas helpers
export const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
export const handle = (page: Page, nodeId: string, handleId: string) => page.locator(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle[data-handleid="${handleId}"]`);

/**
 * The element's centre once it stopped moving: right after a fit-view (animated) or a drop, handles are still
 * travelling, and a drag aimed at where one was a moment ago connects nothing.
 */
async function center(l: Locator): Promise<{ x: number; y: number }> {
  await l.scrollIntoViewIfNeeded();
  let last: { x: number; y: number } | null = null;
  for (let i = 0; i < 40; i++) {
    const b = await l.boundingBox();
    if (!b) throw new Error('element has no box (not visible)');
    const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    if (last && Math.abs(last.x - c.x) < 0.5 && Math.abs(last.y - c.y) < 0.5) return c;
    last = c;
    await new Promise((r) => setTimeout(r, 60));
  }
  return last!;
}

/** Stepped mouse moves: React Flow and HTML5 drag-and-drop both need intermediate pointer events. */
export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 5, from.y + 5, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

/** Drags a block from the palette onto the canvas at `at` (relative to the canvas) and waits for node `id`. */
export async function dropBlock(page: Page, blockId: string, at: { x: number; y: number }, id: string) {
  // On a loaded machine a drag can end before the browser saw enough pointer events to start HTML5 drag-and-drop;
  // try again until the node exists (never a second drop once it does).
  await expect(async () => {
    if (await node(page, id).count()) return;
    const pane = await page.getByTestId('canvas').boundingBox();
    if (!pane) throw new Error('no canvas');
    await drag(page, await center(page.getByTestId(`palette-item-${blockId}`)), { x: pane.x + at.x, y: pane.y + at.y });
    await expect(node(page, id)).toHaveCount(1, { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await expect(node(page, id)).toBeVisible();
}

/** One drag from `source`'s `port` to `target`'s input, for wires the editor is expected to refuse. */
export async function dragWire(page: Page, source: string, port: string, target: string) {
  await drag(page, await center(handle(page, source, port)), await center(handle(page, target, 'in')));
}

/** Wires `source`'s `port` to `target`'s input, trying the drag again if the canvas connected nothing. */
export async function connect(page: Page, source: string, port: string, target: string) {
  const edges = page.locator('.react-flow__edge');
  const before = await edges.count();
  await expect(async () => {
    if ((await edges.count()) > before) return;
    await dragWire(page, source, port, target);
    await expect(edges).toHaveCount(before + 1, { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
}

export async function select(page: Page, id: string) {
  // Click the node's title, away from its handles.
  await node(page, id).locator('[class*="nodeTitle"]').click();
  await expect(page.getByTestId('inspector')).toBeVisible();
}

export async function setText(page: Page, testId: string, value: string) {
  const input = page.getByTestId(testId);
  await input.click();
  await input.fill(value);
  await page.keyboard.press('Escape'); // close autocomplete
}

/** JSON with object keys sorted: Postgres jsonb does not keep key order, and JSON does not promise it. */
export function canonical(v: unknown): string {
  const sort = (x: unknown): unknown => (Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)).map(([k, y]) => [k, sort(y)])) : x);
  return JSON.stringify(sort(v));
}
