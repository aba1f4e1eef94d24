// Fixtures for the browser tests: the running app (its address, demo credentials, database), a signed-in staff
// page shared by the steps of one spec (worker scope: a spec is one chain of steps), and canvas helpers.
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

export const test = base.extend<object, { app: App; staff: Page }>({
  app: [async ({}, use) => {
    const dataDir = process.env.E2E_DATA_DIR!;
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as { apiKey: string; staffPassword: string };
    const runtime = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8')) as { databaseUrl: string };
    const sql = postgres(runtime.databaseUrl, { max: 2, onnotice: () => {} });
    await use({ base: process.env.E2E_BASE_URL!, dataDir, apiKey: demo.apiKey, staffEmail: 'admin@demo.patchbay.dev', staffPassword: demo.staffPassword, sql });
    await sql.end();
  }, { scope: 'worker' }],
  staff: [async ({ browser, app }, use) => {
    const page = await signIn(browser, app, app.staffEmail, app.staffPassword);
    await use(page);
    await page.context().close();
  }, { scope: 'worker' }],
});

export { expect };

// ---------------------------------------------------------------- canvas helpers
export const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
export const handle = (page: Page, nodeId: string, handleId: string) => page.locator(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle[data-handleid="${handleId}"]`);

async function center(l: Locator): Promise<{ x: number; y: number }> {
  await l.scrollIntoViewIfNeeded();
  const b = await l.boundingBox();
  if (!b) throw new Error('element has no box (not visible)');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
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
  const pane = await page.getByTestId('canvas').boundingBox();
  if (!pane) throw new Error('no canvas');
  await drag(page, await center(page.getByTestId(`palette-item-${blockId}`)), { x: pane.x + at.x, y: pane.y + at.y });
  await expect(node(page, id)).toBeVisible();
}

export async function connect(page: Page, source: string, port: string, target: string) {
  await drag(page, await center(handle(page, source, port)), await center(handle(page, target, 'in')));
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
