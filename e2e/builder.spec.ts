// End-to-end: the visual builder, driven in Chromium like a person would. Run with `npm run test:e2e`
// (or `node --import tsx e2e/builder.spec.ts`). Starts the app as the README does (`node scripts/start.mjs`)
// on a fresh data folder, unless E2E_BASE_URL + E2E_DATA_DIR point at a server that is already running.
// Exits non-zero when a test fails; prints "N passed, N failed".
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import postgres from 'postgres';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'test-results', 'e2e');
const PORT = Number(process.env.E2E_PORT ?? 3499);
const API_KEY = process.env.E2E_API_KEY ?? 'pb_e2e_demo_key';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STAFF_EMAIL = 'admin@demo.patchbay.dev';
const CALLER = { phone: '(415) 704-0007', name: 'Barbara Lovelace' };

// ---------------------------------------------------------------- tiny runner
type Result = { name: string; ok: boolean; ms: number; error?: string };
const results: Result[] = [];
let stopAfterFailure = false;

async function test(name: string, fn: () => Promise<void>): Promise<void> {
  if (stopAfterFailure) { results.push({ name, ok: false, ms: 0, error: 'skipped: an earlier step it depends on failed' }); console.log(`  - ${name} (skipped)`); return; }
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - t0 });
    console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    const e = err as Error;
    results.push({ name, ok: false, ms: Date.now() - t0, error: e.stack ?? e.message });
    console.log(`  ✗ ${name}\n    ${(e.message ?? String(err)).split('\n').join('\n    ')}`);
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60);
    for (const p of openPages) await p.screenshot({ path: path.join(outDir, `failure-${slug}-${openPages.indexOf(p)}.png`) }).catch(() => {});
  }
}

/** Later tests need the earlier ones (the flow they build); stop after a failure in this chain. */
async function step(name: string, fn: () => Promise<void>) {
  await test(name, fn);
  if (!results[results.length - 1].ok) stopAfterFailure = true;
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** JSON with object keys sorted: Postgres jsonb does not keep key order, and JSON does not promise it. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown => (Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)).map(([k, y]) => [k, sort(y)])) : x);
  return JSON.stringify(sort(v));
}

function assertEqual(actual: unknown, expected: unknown, message: string) {
  const a = canonical(actual); const e = canonical(expected);
  if (a !== e) throw new Error(`${message}\n  expected ${e}\n  got      ${a}`);
}

// ---------------------------------------------------------------- app process
let server: ChildProcess | null = null;
let serverLog = '';

async function startApp(): Promise<{ base: string; dataDir: string }> {
  if (process.env.E2E_BASE_URL && process.env.E2E_DATA_DIR) return { base: process.env.E2E_BASE_URL, dataDir: process.env.E2E_DATA_DIR };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-'));
  const env = { ...process.env, PORT: String(PORT), PATCHBAY_DATA_DIR: dataDir, PATCHBAY_DEMO_API_KEY: API_KEY, PATCHBAY_DEMO_CONTACTS: process.env.PATCHBAY_DEMO_CONTACTS ?? '500', NEXT_TELEMETRY_DISABLED: '1' };
  delete (env as Record<string, unknown>).DATABASE_URL;
  server = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The app did not start within 15 minutes:\n${serverLog.slice(-3000)}`)), 15 * 60_000);
    const onData = (d: Buffer) => {
      serverLog += d.toString();
      const m = /Ready on (http:\/\/\S+)/.exec(serverLog);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    server!.stdout!.on('data', onData);
    server!.stderr!.on('data', (d: Buffer) => { serverLog += d.toString(); });
    server!.once('exit', (code) => { clearTimeout(timer); reject(new Error(`The app exited (${code}) before it was ready:\n${serverLog.slice(-3000)}`)); });
  });
  try {
    return { base: await ready, dataDir };
  } catch (err) {
    await stopApp();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

async function stopApp() {
  if (!server || server.exitCode !== null) return;
  server.kill('SIGTERM');
  await new Promise<void>((resolve) => { const t = setTimeout(() => { server?.kill('SIGKILL'); resolve(); }, 20_000); server!.once('exit', () => { clearTimeout(t); resolve(); }); });
}

// ---------------------------------------------------------------- browser helpers
const openPages: Page[] = [];

async function signIn(browser: Browser, base: string, email: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  openPages.push(page);
  page.on('pageerror', (e) => console.log(`    [page error] ${e.message}`));
  await page.goto('/login', { timeout: 120_000, waitUntil: 'networkidle' });
  // Typing before React hydrates the form is lost: fill until the values stick.
  for (let i = 0; i < 10; i++) {
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.waitForTimeout(300);
    if ((await page.getByTestId('login-email').inputValue()) === email && (await page.getByTestId('login-password').inputValue()) === password) break;
  }
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/flows/, { timeout: 120_000 });
  return { context, page };
}

async function center(l: Locator): Promise<{ x: number; y: number }> {
  await l.scrollIntoViewIfNeeded();
  const b = await l.boundingBox();
  assert(b, 'element has no box (not visible)');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Stepped mouse moves: React Flow and HTML5 drag-and-drop both need intermediate pointer events. */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 5, from.y + 5, { steps: 3 });
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const handle = (page: Page, nodeId: string, handleId: string) => page.locator(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle[data-handleid="${handleId}"]`);

async function dropBlock(page: Page, blockId: string, at: { x: number; y: number }) {
  const pane = await page.getByTestId('canvas').boundingBox();
  assert(pane, 'no canvas');
  await drag(page, await center(page.getByTestId(`palette-item-${blockId}`)), { x: pane.x + at.x, y: pane.y + at.y });
}

async function connect(page: Page, source: string, port: string, target: string) {
  await drag(page, await center(handle(page, source, port)), await center(handle(page, target, 'in')));
}

async function select(page: Page, id: string) {
  // Click the node's title, away from its handles.
  await node(page, id).locator('[class*="nodeTitle"]').click();
  await page.getByTestId('inspector').waitFor();
}

async function setText(page: Page, testId: string, value: string) {
  const input = page.getByTestId(testId);
  await input.click();
  await input.fill(value);
  await page.keyboard.press('Escape'); // close autocomplete
}

// ---------------------------------------------------------------- the scenario
async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (f.startsWith('failure-')) fs.rmSync(path.join(outDir, f));
  console.log('Starting Patchbay …');
  const { base, dataDir } = await startApp();
  console.log(`App on ${base} (data ${dataDir})`);
  const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as { apiKey: string; staffPassword: string };
  const runtime = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8')) as { databaseUrl: string };
  const sql = postgres(runtime.databaseUrl, { max: 2, onnotice: () => {} });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  let page!: Page;
  let flowId = '';
  let testBody: unknown = null;
  let liveRunId = '';

  try {
    await step('staff signs in with the demo credentials', async () => {
      ({ page } = await signIn(browser, base, STAFF_EMAIL, demo.staffPassword));
      await page.getByTestId('flows-page').waitFor();
    });

    await step('creates a flow and opens it in the editor', async () => {
      await page.getByTestId('flow-create').click();
      await page.getByTestId('create-flow-name').fill('E2E caller lookup');
      await page.getByTestId('create-flow-automation').fill('caller_lookup');
      await page.getByTestId('create-flow-submit').click();
      await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/, { timeout: 120_000 });
      flowId = page.url().split('/').pop()!;
      await node(page, 'trigger').waitFor({ timeout: 120_000 });
      assertEqual(await page.getByTestId('flow-status').textContent(), 'draft', 'a new flow is a draft');
    });

    await step('deletes with the keyboard, undoes and redoes', async () => {
      await select(page, 'trigger');
      await page.keyboard.press('Delete');
      await node(page, 'trigger').waitFor({ state: 'detached' });
      await page.getByTestId('undo').click();
      await node(page, 'trigger').waitFor();
      await page.getByTestId('redo').click();
      await node(page, 'trigger').waitFor({ state: 'detached' });
      await page.getByTestId('canvas-empty').waitFor();
    });

    await step('drags trigger → normalize → lookup → respond (+ a not-found respond) from the palette', async () => {
      await page.getByTestId('palette-search').fill('');
      await dropBlock(page, 'trigger.webhook', { x: 120, y: 90 });
      await node(page, 'trigger').waitFor();
      await dropBlock(page, 'phone.normalize', { x: 120, y: 300 });
      await node(page, 'normalize').waitFor();
      await page.getByTestId('palette-search').fill('cdp');
      await dropBlock(page, 'cdp.lookup', { x: 370, y: 300 });
      await node(page, 'lookup').waitFor();
      await page.getByTestId('palette-search').fill('respond');
      await dropBlock(page, 'respond.json', { x: 370, y: 90 });
      await node(page, 'respond').waitFor();
      await dropBlock(page, 'respond.json', { x: 200, y: 500 });
      await node(page, 'respond_2').waitFor();
      await page.getByTestId('palette-search').fill('');
      await page.locator('.react-flow__controls-fitview').click();
      await page.waitForTimeout(400);
    });

    await step('wires the ports, and refuses an edge into the trigger with a reason', async () => {
      await connect(page, 'trigger', 'out', 'normalize');
      await connect(page, 'normalize', 'valid', 'lookup');
      await connect(page, 'lookup', 'found', 'respond');
      await connect(page, 'lookup', 'notFound', 'respond_2');
      await connect(page, 'normalize', 'invalid', 'respond_2');
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 5, null, { timeout: 10_000 });
      await connect(page, 'lookup', 'found', 'trigger');
      const toast = page.getByTestId('toast').filter({ hasText: 'into a trigger' });
      await toast.waitFor();
      await connect(page, 'lookup', 'found', 'respond');
      await page.getByTestId('toast').filter({ hasText: 'already wired' }).waitFor();
      assertEqual(await page.locator('.react-flow__edge').count(), 5, 'refused edges are not drawn');
    });

    await step('saving a flow with problems keeps a draft and says what to fix', async () => {
      await page.getByTestId('node-issue-marker-lookup').waitFor();
      await page.getByTestId('save-flow').click();
      const problems = page.getByTestId('save-problems');
      await problems.getByText('Saved v2 as a draft').waitFor();
      assert((await problems.textContent())?.includes('"phone" is required'), `the missing param is named: ${await problems.textContent()}`);
      await problems.getByRole('button', { name: 'Dismiss' }).click();
    });

    await step('marks a block with a missing param, and clears it once set (with autocomplete)', async () => {
      assert((await page.getByTestId('node-issue-lookup').textContent())?.includes('phone'), 'the issue names the param');
      await select(page, 'normalize');
      const phone = page.getByTestId('param-phone');
      await phone.click();
      await phone.pressSequentially('=trigger.ph');
      await page.getByTestId('autocomplete').getByText('trigger.phone', { exact: true }).waitFor();
      await page.keyboard.press('Enter');
      assertEqual(await phone.inputValue(), '=trigger.phone', 'autocomplete completes the path');
      await page.getByTestId('param-phone-expression').waitFor();
      await select(page, 'lookup');
      await setText(page, 'param-phone', '=steps.normalize.e164');
      await page.getByTestId('node-issue-marker-lookup').waitFor({ state: 'detached' });
    });

    await step('sets the trigger fields and example, the respond bodies and the flow name', async () => {
      await select(page, 'trigger');
      await page.getByTestId('param-fields-add').click();
      await page.getByTestId('param-fields-0-path').fill('phone');
      await setText(page, 'param-example', JSON.stringify({ phone: CALLER.phone }));
      await select(page, 'respond');
      await setText(page, 'param-body', JSON.stringify({ found: true, name: '=steps.lookup.contact.displayName', phone: '=steps.lookup.phone' }));
      await select(page, 'respond_2');
      await setText(page, 'param-body', JSON.stringify({ found: false }));
      await page.getByTestId('flow-name').fill('E2E caller lookup');
      await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
      await page.getByTestId('flow-valid').waitFor({ timeout: 10_000 });
    });

    await step('copies and pastes a block, then undoes the paste', async () => {
      await select(page, 'respond_2');
      await page.keyboard.press('Control+c');
      await page.keyboard.press('Control+v');
      await node(page, 'respond_3').waitFor();
      await page.keyboard.press('Control+z');
      await node(page, 'respond_3').waitFor({ state: 'detached' });
      // Click (or Enter) on a palette item adds the block too.
      await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
      await page.getByTestId('palette-item-delay').click();
      await node(page, 'delay').waitFor();
      await page.getByTestId('undo').click();
      await node(page, 'delay').waitFor({ state: 'detached' });
    });

    await step('saves a version and publishes it', async () => {
      await page.getByTestId('save-message').fill('Lookup with not-found branch');
      await page.getByTestId('save-flow').click();
      await page.getByTestId('toast').filter({ hasText: 'Saved v3' }).waitFor();
      await page.getByTestId('publish-flow').click();
      await page.getByTestId('toast').filter({ hasText: 'Published v3' }).waitFor();
      await page.getByTestId('flow-status').filter({ hasText: 'published v3' }).waitFor();
      assertEqual(await page.getByTestId('dirty-marker').count(), 0, 'nothing is unsaved after publishing');
    });

    await test('compares two versions in words', async () => {
      await page.getByTestId('compare-versions').click();
      await page.getByTestId('compare-from').selectOption('1');
      await page.getByTestId('compare-to').selectOption('3');
      const out = page.getByTestId('compare-output');
      await out.getByText('Added node lookup (cdp.lookup)').waitFor();
      let text = await out.textContent();
      assert(text?.includes('Connected lookup (found) → respond'), `edges are described: ${text}`);
      await page.getByTestId('compare-from').selectOption('2');
      await out.getByText('lookup.phone: (unset) → "=steps.normalize.e164"').waitFor();
      text = await out.textContent();
      assert(!text?.includes('Added node'), `v2 and v3 have the same nodes: ${text}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('compare-dialog').waitFor({ state: 'detached' });
      // The version dropdown loads a version onto the canvas.
      await page.getByTestId('version-select').selectOption('1');
      await node(page, 'lookup').waitFor({ state: 'detached' });
      assertEqual(await page.locator('.react-flow__node').count(), 1, 'v1 holds only the trigger');
      await page.getByTestId('version-select').selectOption('3');
      await node(page, 'lookup').waitFor();
      assertEqual(await page.getByTestId('dirty-marker').count(), 0, 'v3 reloaded is not a change');
    });

    await step('test-runs the canvas with a demo phone number and shows the caller', async () => {
      await page.getByTestId('test-run').click();
      const input = page.getByTestId('test-input');
      assert((await input.inputValue()).includes(CALLER.phone), 'the test input is prefilled from the trigger example');
      await input.fill(JSON.stringify({ phone: CALLER.phone }));
      await page.getByTestId('run-test-input').click();
      const out = page.getByTestId('test-output');
      await out.getByText(CALLER.name).first().waitFor({ timeout: 30_000 });
      await page.getByTestId('node-status-lookup').filter({ hasText: 'ok' }).waitFor();
      await page.getByTestId('node-status-respond').waitFor();
      testBody = JSON.parse((await page.getByTestId('test-response').textContent()) ?? 'null');
      await node(page, 'lookup').locator('[class*="nodeTitle"]').click();
      await page.getByTestId('step-output').getByText(CALLER.name).first().waitFor();
      await page.locator('.react-flow__controls-fitview').click();
      for (const t of await page.getByTestId('toast').all()) await t.getByRole('button').click({ timeout: 1000 }).catch(() => {});
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(outDir, 'editor.png') });
    });

    await test('a failing block shows its error on the node', async () => {
      await page.getByTestId('tab-inspector').click();
      await select(page, 'respond');
      await page.getByTestId('param-status-fx').click();
      await setText(page, 'param-status', '=$number("not a number")');
      await page.getByTestId('tab-test').click();
      await page.getByTestId('run-test-input').click();
      await page.getByTestId('test-status').filter({ hasText: 'failed' }).waitFor();
      const err = page.getByTestId('node-error-respond');
      await err.waitFor();
      assert((await err.textContent())?.includes('$number'), `the node names what failed: ${await err.textContent()}`);
      // Typing into one field quickly is one undo step (the fx switch may be a second one).
      for (let i = 0; i < 2 && (await page.getByTestId('dirty-marker').count()) > 0; i++) await page.getByTestId('undo').click();
      await page.getByTestId('dirty-marker').waitFor({ state: 'detached' });
      await page.getByTestId('tab-inspector').click();
      assertEqual(await page.getByTestId('param-status').inputValue(), '200', 'undo restores the status');
    });

    await step('the named automation URL answers the same JSON once the demo customer uses the flow', async () => {
      const auth = { authorization: `Bearer ${demo.apiKey}`, 'content-type': 'application/json' };
      const en = await fetch(`${base}/api/v1/customers/demo/integrations`, { method: 'POST', headers: auth, body: JSON.stringify({ flowId }) });
      assertEqual(en.status, 200, `enabling the integration: ${await en.clone().text()}`);
      // The automation binding is cached for a couple of seconds.
      let body: unknown = null;
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${base}/api/v1/customers/demo/automations/caller_lookup`, { method: 'POST', headers: auth, body: JSON.stringify({ phone: CALLER.phone }) });
        body = await r.json();
        liveRunId = r.headers.get('x-patchbay-run-id') ?? '';
        if (canonical(body) === canonical(testBody)) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      assertEqual(body, testBody, 'the live answer equals the test-run answer');
      assert((body as { name?: string }).name === CALLER.name, 'the caller is named');
      assert(liveRunId, 'the answer carries its run id');
    });

    await test('opens the run from the runs list and sees its steps', async () => {
      await page.getByTestId('nav-runs').click();
      await page.getByTestId('runs-page').waitFor();
      const row = page.locator(`[data-testid="run-row"][data-id="${liveRunId}"]`);
      await row.waitFor({ timeout: 20_000 });
      // the latency chart above the table counts the live runs (test runs are left out) and draws their bucket
      await page.getByTestId('latency-chart').waitFor();
      await page.getByTestId('runs-refresh').click();
      await page.locator('[data-testid="latency-summary"]', { hasText: /live runs? in the last 24 hours · p50/ }).waitFor({ timeout: 20_000 });
      assert(await page.getByTestId('latency-bucket').count() >= 1, 'the chart draws the bucket with the live runs');
      assert(await page.locator('[data-testid="latency-chart"] path').count() === 3, 'p50, p95 and p99 lines');
      await page.getByTestId('latency-chart').screenshot({ path: path.join(outDir, 'latency.png') });
      // the staff API names the field of a bad filter (a NUL in an id used to reach PostgreSQL as a 500)
      for (const q of ['/api/staff/runs?customer=%00', '/api/staff/runs/stats?customer=%00', '/api/staff/runs/stats?from=garbage']) {
        const r = await page.request.get(q);
        assertEqual(r.status(), 400, `${q} is refused`);
        const body = await r.json() as { error: { path: string[] } };
        assert(['customer', 'from'].includes(body.error.path[0]), `${q} names the field`);
      }
      const nul = await page.request.post(`/api/staff/flows/${flowId}/test-run`, { data: { definition: {}, input: {}, customer: '\u0000' } });
      assertEqual([nul.status(), (await nul.json()).error.code], [400, 'customer_not_found'], 'a test run for a customer id nobody can have');
      await row.getByTestId('run-link').click();
      await page.waitForURL(new RegExp(`/runs/${liveRunId}$`));
      await page.getByTestId('run-page').waitFor();
      await page.getByTestId('timeline-step').first().waitFor();
      assertEqual(await page.getByTestId('timeline-step').count(), 4, 'trigger, normalize, lookup, respond');
      await page.screenshot({ path: path.join(outDir, 'run.png'), fullPage: true });
    });

    await test('the syncs page gives the HubSpot deletion webhook URL of this vendor', async () => {
      await page.goto('/syncs');
      await page.getByTestId('syncs-page').waitFor();
      const url = page.getByTestId('hubspot-webhook-url');
      await page.waitForFunction(() => document.querySelector('[data-testid="hubspot-webhook-url"]')?.textContent?.startsWith('http'));
      assertEqual(await url.textContent(), `${base}/api/v1/hooks/demo/hubspot`, 'the URL names this Patchbay and the demo vendor');
    });

    await test('a customer opens a portal link once, sees the connections and signs out', async () => {
      const r = await fetch(`${base}/api/v1/customers/demo/portal-links`, { method: 'POST', headers: { authorization: `Bearer ${demo.apiKey}` } });
      assertEqual(r.status, 201, 'the vendor key gets a portal link');
      const { url } = await r.json() as { url: string };
      const context = await browser.newContext({ baseURL: base });
      const cp = await context.newPage();
      openPages.push(cp);
      try {
        await cp.goto(url);
        await cp.getByTestId('portal-customer').waitFor({ timeout: 60_000 });
        await cp.getByTestId('connection-status').first().waitFor();
        await cp.getByTestId('portal-sign-out').click();
        await cp.getByTestId('portal-no-session').waitFor();
        // the link opened once; a second time it leads nowhere
        const again = await cp.goto(url);
        assertEqual(again?.status(), 410, 'a used portal link is refused');
        assert((await cp.content()).includes('already been used'), 'and says why');
      } finally { await context.close(); openPages.splice(openPages.indexOf(cp), 1); }
    });

    await test('a viewer sees the flow but cannot save it (UI and API refuse)', async () => {
      const [vendor] = await sql<{ vendor_id: string }[]>`select vendor_id from staff_users where lower(email) = ${STAFF_EMAIL}`;
      const password = 'viewer-e2e-password';
      await sql`insert into staff_users (vendor_id, email, name, password_hash, role) values (${vendor.vendor_id}, 'viewer@demo.patchbay.dev', 'Vera Viewer', ${await bcrypt.hash(password, 10)}, 'viewer')
        on conflict do nothing`;
      const { context, page: vp } = await signIn(browser, base, 'viewer@demo.patchbay.dev', password);
      try {
        await vp.goto(`/flows/${flowId}`);
        await vp.getByTestId('read-only-banner').waitFor({ timeout: 60_000 });
        assert(await vp.getByTestId('save-flow').isDisabled(), 'Save is disabled for a viewer');
        assert(await vp.getByTestId('publish-flow').isDisabled(), 'Publish is disabled for a viewer');
        assert(await vp.getByTestId('palette-item-cdp.lookup').isDisabled(), 'the palette is disabled for a viewer');
        const detail = await (await vp.request.get(`/api/staff/flows/${flowId}`)).json();
        const r = await vp.request.post(`/api/staff/flows/${flowId}/versions`, { data: { definition: detail.definition } });
        assertEqual(r.status(), 403, 'the API refuses a viewer\'s save');
      } finally { await context.close(); openPages.splice(openPages.indexOf(vp), 1); }
    });

    await test('staff of another vendor cannot open the flow by URL', async () => {
      const [v] = await sql<{ id: string }[]>`insert into vendors (slug, name) values ('e2e-vendor-b', 'Vendor B') on conflict (slug) do update set name = excluded.name returning id`;
      const password = 'vendor-b-e2e-password';
      await sql`insert into staff_users (vendor_id, email, name, password_hash, role) values (${v.id}, 'owner@vendor-b.example', 'Bea B', ${await bcrypt.hash(password, 10)}, 'owner')
        on conflict do nothing`;
      const { context, page: bp } = await signIn(browser, base, 'owner@vendor-b.example', password);
      try {
        await bp.goto(`/flows/${flowId}`);
        await bp.getByTestId('flow-not-found').waitFor({ timeout: 60_000 });
        assertEqual((await bp.request.get(`/api/staff/flows/${flowId}`)).status(), 404, 'the API answers 404 for another vendor\'s flow');
        const t = await bp.request.post(`/api/staff/flows/${flowId}/test-run`, { data: { definition: {}, input: {} } });
        assertEqual(t.status(), 404, 'nor can it test-run it');
      } finally { await context.close(); openPages.splice(openPages.indexOf(bp), 1); }
    });
  } finally {
    await browser.close().catch(() => {});
    await sql.end().catch(() => {});
    await stopApp();
    // A data folder this run made is removed when everything passed (kept for a look otherwise).
    if (server && results.every((r) => r.ok)) fs.rmSync(dataDir, { recursive: true, force: true });
    else if (server) console.log(`  (data folder kept: ${dataDir})`);
  }
}

const t0 = Date.now();
main()
  .catch((err) => { results.push({ name: 'setup', ok: false, ms: 0, error: (err as Error).stack }); console.log(`  ✗ setup\n    ${(err as Error).message}`); })
  .finally(() => {
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    if (failed && serverLog) fs.writeFileSync(path.join(outDir, 'server.log'), serverLog);
    console.log(`\n${passed} passed, ${failed} failed (${Math.round((Date.now() - t0) / 1000)} s)`);
    process.exit(failed ? 1 : 0);
  });
