// End-to-end: the visual builder, driven in Chromium like a person would (Playwright test runner; the app is
// started by e2e/global-setup.ts). One chain of steps on one signed-in page: later steps use the flow earlier
// ones built, so the chain runs serially and stops at the first failure.
import bcrypt from 'bcryptjs';
import path from 'node:path';
import { canonical, connect, dragWire, dropBlock, expect, node, select, setText, signIn, test } from './fixtures';

const CALLER = { phone: '(415) 704-0007', name: 'Barbara Lovelace' };
const AUTOMATION = 'e2e_caller_lookup';
const shots = path.join(import.meta.dirname, '..', 'test-results', 'e2e');

test.describe.configure({ mode: 'serial' });

let flowId = '';
let testBody: unknown = null;
let liveRunId = '';

test('staff signs in with the demo credentials', async ({ staff }) => {
  await expect(staff.getByTestId('flows-page')).toBeVisible();
});

test('creates a flow and opens it in the editor; a taken automation name is not offered', async ({ staff: page }) => {
  await page.getByTestId('flow-create').click();
  // The demo's caller_lookup flow exists: the dialog does not suggest its name, and refuses it when typed.
  await expect(page.getByTestId('create-flow-automation')).not.toHaveValue('caller_lookup');
  await page.getByTestId('create-flow-automation').fill('caller_lookup');
  await expect(page.getByTestId('create-flow-automation-hint')).toContainText('already answers to caller_lookup');
  await expect(page.getByTestId('create-flow-submit')).toBeDisabled();
  await page.getByTestId('create-flow-name').fill('E2E caller lookup');
  await page.getByTestId('create-flow-automation').fill(AUTOMATION);
  await page.getByTestId('create-flow-submit').click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  flowId = page.url().split('/').pop()!;
  await expect(node(page, 'trigger')).toBeVisible();
  await expect(page.getByTestId('flow-status')).toHaveText('draft');
});

test('deletes with the keyboard, undoes and redoes', async ({ staff: page }) => {
  await select(page, 'trigger');
  await page.keyboard.press('Delete');
  await expect(node(page, 'trigger')).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect(node(page, 'trigger')).toBeVisible();
  await page.getByTestId('redo').click();
  await expect(node(page, 'trigger')).toHaveCount(0);
  await expect(page.getByTestId('canvas-empty')).toBeVisible();
});

test('drags trigger → normalize → lookup → respond (+ a not-found respond) from the palette', async ({ staff: page }) => {
  await page.getByTestId('palette-search').fill('');
  await dropBlock(page, 'trigger.webhook', { x: 120, y: 90 }, 'trigger');
  await dropBlock(page, 'phone.normalize', { x: 120, y: 300 }, 'normalize');
  await page.getByTestId('palette-search').fill('cdp');
  await dropBlock(page, 'cdp.lookup', { x: 370, y: 300 }, 'lookup');
  await page.getByTestId('palette-search').fill('respond');
  await dropBlock(page, 'respond.json', { x: 370, y: 90 }, 'respond');
  await dropBlock(page, 'respond.json', { x: 200, y: 500 }, 'respond_2');
  await page.getByTestId('palette-search').fill('');
  await page.locator('.react-flow__controls-fitview').click();
  await expect(node(page, 'respond_2')).toBeInViewport();
});

test('wires the ports, and refuses an edge into the trigger with a reason', async ({ staff: page }) => {
  await connect(page, 'trigger', 'out', 'normalize');
  await connect(page, 'normalize', 'valid', 'lookup');
  await connect(page, 'lookup', 'found', 'respond');
  await connect(page, 'lookup', 'notFound', 'respond_2');
  await connect(page, 'normalize', 'invalid', 'respond_2');
  await expect(page.locator('.react-flow__edge')).toHaveCount(5);
  await dragWire(page, 'lookup', 'found', 'trigger');
  await expect(page.getByTestId('toast').filter({ hasText: 'into a trigger' })).toBeVisible();
  await dragWire(page, 'lookup', 'found', 'respond');
  await expect(page.getByTestId('toast').filter({ hasText: 'already wired' })).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(5);
});

test('saving a flow with problems keeps a draft and says what to fix, in the user\'s terms', async ({ staff: page }) => {
  await expect(page.getByTestId('node-issue-marker-lookup')).toBeVisible();
  await page.getByTestId('save-flow').click();
  const problems = page.getByTestId('save-problems');
  await expect(problems).toContainText('Saved v2 as a draft');
  await expect(problems).toContainText('Look up caller in CDP → Phone is required');
  await problems.getByRole('button', { name: 'Dismiss' }).click();
});

test('marks a block with a missing param, and clears it once set (with autocomplete)', async ({ staff: page }) => {
  await expect(page.getByTestId('node-issue-lookup')).toContainText('Phone');
  await select(page, 'normalize');
  const phone = page.getByTestId('param-phone');
  await phone.click();
  await phone.pressSequentially('=trigger.ph');
  await page.getByTestId('autocomplete').getByText('trigger.phone', { exact: true }).click();
  await expect(phone).toHaveValue('=trigger.phone');
  await expect(page.getByTestId('param-phone-expression')).toBeVisible();
  await select(page, 'lookup');
  await setText(page, 'param-phone', '=steps.normalize.e164');
  await expect(page.getByTestId('node-issue-marker-lookup')).toHaveCount(0);
});

test('sets the trigger fields and example, the respond bodies and the flow name', async ({ staff: page }) => {
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
  await expect(page.getByTestId('flow-valid')).toBeVisible();
});

test('copies and pastes a block, then undoes the paste', async ({ staff: page }) => {
  await select(page, 'respond_2');
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(node(page, 'respond_3')).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(node(page, 'respond_3')).toHaveCount(0);
  // Click (or Enter) on a palette item adds the block too.
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
  await page.getByTestId('palette-item-delay').click();
  await expect(node(page, 'delay')).toBeVisible();
  await page.getByTestId('undo').click();
  await expect(node(page, 'delay')).toHaveCount(0);
});

test('saves a version and publishes it', async ({ staff: page }) => {
  await page.getByTestId('save-message').fill('Lookup with not-found branch');
  await page.getByTestId('save-flow').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Saved v3' })).toBeVisible();
  await page.getByTestId('publish-flow').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Published v3' })).toBeVisible();
  await expect(page.getByTestId('flow-status')).toHaveText('published v3');
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
});

test('compares two versions in words', async ({ staff: page }) => {
  await page.getByTestId('compare-versions').click();
  await page.getByTestId('compare-from').selectOption('1');
  await page.getByTestId('compare-to').selectOption('3');
  const out = page.getByTestId('compare-output');
  await expect(out).toContainText('Added node lookup (cdp.lookup)');
  await expect(out).toContainText('Connected lookup (found) → respond');
  await page.getByTestId('compare-from').selectOption('2');
  await expect(out).toContainText('lookup.phone: (unset) → "=steps.normalize.e164"');
  await expect(out).not.toContainText('Added node');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('compare-dialog')).toHaveCount(0);
  // The version dropdown loads a version onto the canvas.
  await page.getByTestId('version-select').selectOption('1');
  await expect(node(page, 'lookup')).toHaveCount(0);
  await expect(page.locator('.react-flow__node')).toHaveCount(1);
  await page.getByTestId('version-select').selectOption('3');
  await expect(node(page, 'lookup')).toBeVisible();
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
});

test('test-runs the canvas with a demo phone number and shows the caller', async ({ staff: page }) => {
  await page.getByTestId('test-run').click();
  const input = page.getByTestId('test-input');
  await expect(input).toHaveValue(new RegExp(CALLER.phone.replace(/[()]/g, '\\$&')));
  await input.fill(JSON.stringify({ phone: CALLER.phone }));
  await page.getByTestId('run-test-input').click();
  await expect(page.getByTestId('test-output').getByText(CALLER.name).first()).toBeVisible();
  await expect(page.getByTestId('node-status-lookup')).toContainText('ok');
  await expect(page.getByTestId('node-status-respond')).toBeVisible();
  testBody = JSON.parse((await page.getByTestId('test-response').textContent()) ?? 'null');
  await node(page, 'lookup').locator('[class*="nodeTitle"]').click();
  await expect(page.getByTestId('step-output').getByText(CALLER.name).first()).toBeVisible();
  await page.locator('.react-flow__controls-fitview').click();
  for (const t of await page.getByTestId('toast').all()) await t.getByRole('button').click({ timeout: 1000 }).catch(() => {});
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await page.screenshot({ path: path.join(shots, 'editor.png') });
});

test('the inspector previews an expression param on the last test run, and has the expression reference', async ({ staff: page }) => {
  await page.getByTestId('tab-inspector').click();
  await select(page, 'lookup');
  await expect(page.getByTestId('param-phone-preview')).toContainText('"+14157040007"');
  await page.getByTestId('expression-help-toggle').click();
  await expect(page.getByTestId('expression-help')).toContainText('steps.<id>');
});

test('a failing block shows its error on the node', async ({ staff: page }) => {
  await page.getByTestId('tab-inspector').click();
  await select(page, 'respond');
  await page.getByTestId('param-status-fx').click();
  await setText(page, 'param-status', '=$number("not a number")');
  await page.getByTestId('tab-test').click();
  await page.getByTestId('run-test-input').click();
  await expect(page.getByTestId('test-status')).toContainText('failed');
  await expect(page.getByTestId('node-error-respond')).toContainText('$number');
  // Typing into one field quickly is one undo step (the fx switch may be a second one).
  await page.getByTestId('tab-inspector').click();
  const status = page.getByTestId('param-status');
  await page.getByTestId('undo').click();
  await expect(status).not.toHaveValue('=$number("not a number")');
  if ((await status.inputValue()) !== '200') await page.getByTestId('undo').click();
  await expect(status).toHaveValue('200');
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
});

test('the named automation URL answers the same JSON once the demo customer uses the flow', async ({ staff: page, app }) => {
  const auth = { authorization: `Bearer ${app.apiKey}` };
  const en = await page.request.post(`${app.base}/api/v1/customers/demo/integrations`, { headers: auth, data: { flowId } });
  expect(en.status(), await en.text()).toBe(200);
  // The automation binding is cached for a couple of seconds.
  await expect(async () => {
    // Traced: recorded in full whatever the recording policy (the hot path's default samples successful runs).
    const r = await page.request.post(`${app.base}/api/v1/customers/demo/automations/${AUTOMATION}`, { headers: { ...auth, 'x-patchbay-trace': '1' }, data: { phone: CALLER.phone } });
    liveRunId = r.headers()['x-patchbay-run-id'] ?? '';
    expect(canonical(await r.json())).toBe(canonical(testBody));
  }).toPass({ timeout: 15_000 });
  expect((testBody as { name?: string }).name).toBe(CALLER.name);
  expect(liveRunId).not.toBe('');
});

test('opens the run from the runs list and sees its steps', async ({ staff: page }) => {
  await page.getByTestId('nav-runs').click();
  await expect(page.getByTestId('runs-page')).toBeVisible();
  const row = page.locator(`[data-testid="run-row"][data-id="${liveRunId}"]`);
  await expect(row).toBeVisible();
  // the latency chart above the table counts the live runs (test runs are left out) and draws their bucket
  await expect(page.getByTestId('latency-chart')).toBeVisible();
  await page.getByTestId('runs-refresh').click();
  await expect(page.getByTestId('latency-summary')).toContainText(/live runs? in the last 24 hours · p50/);
  await expect(page.getByTestId('latency-bucket').first()).toBeVisible();
  await expect(page.locator('[data-testid="latency-chart"] path')).toHaveCount(3);
  await page.getByTestId('latency-chart').screenshot({ path: path.join(shots, 'latency.png') });
  // the staff API names the field of a bad filter (a NUL in an id used to reach PostgreSQL as a 500)
  for (const q of ['/api/staff/runs?customer=%00', '/api/staff/runs/stats?customer=%00', '/api/staff/runs/stats?from=garbage']) {
    const r = await page.request.get(q);
    expect(r.status(), q).toBe(400);
    expect(['customer', 'from']).toContain(((await r.json()) as { error: { path: string[] } }).error.path[0]);
  }
  const nul = await page.request.post(`/api/staff/flows/${flowId}/test-run`, { data: { definition: {}, input: {}, customer: '\u0000' } });
  // A customer id nobody can have (NUL) is refused naming the field.
  expect(nul.status()).toBe(400);
  expect((await nul.json()).error.path).toEqual(['customer']);
  await row.getByTestId('run-link').click();
  await page.waitForURL(new RegExp(`/runs/${liveRunId}$`));
  await expect(page.getByTestId('run-page')).toBeVisible();
  await expect(page.getByTestId('timeline-step')).toHaveCount(4);
  await page.screenshot({ path: path.join(shots, 'run.png'), fullPage: true });
});

test('the syncs page gives the HubSpot deletion webhook URL of this vendor', async ({ staff: page, app }) => {
  await page.goto('/syncs');
  await expect(page.getByTestId('syncs-page')).toBeVisible();
  await expect(page.getByTestId('hubspot-webhook-url')).toHaveText(`${app.base}/api/v1/hooks/demo/hubspot`);
});

test('a customer opens a portal link once, sees the connections and signs out', async ({ browser, app, request }) => {
  const r = await request.post(`${app.base}/api/v1/customers/demo/portal-links`, { headers: { authorization: `Bearer ${app.apiKey}` } });
  expect(r.status()).toBe(201);
  const { url } = await r.json() as { url: string };
  const context = await browser.newContext({ baseURL: app.base });
  const cp = await context.newPage();
  try {
    await cp.goto(url);
    await expect(cp.getByTestId('portal-customer')).toBeVisible({ timeout: 60_000 });
    await expect(cp.getByTestId('connection-status').first()).toBeVisible();
    await cp.getByTestId('portal-sign-out').click();
    await expect(cp.getByTestId('portal-no-session')).toBeVisible();
    // the link opened once; a second time it leads nowhere
    const again = await cp.goto(url);
    expect(again?.status()).toBe(410);
    await expect(cp.locator('body')).toContainText('already been used');
  } finally { await context.close(); }
});

test('a viewer sees the flow but cannot save it (UI and API refuse)', async ({ browser, app }) => {
  const [vendor] = await app.sql<{ vendor_id: string }[]>`select vendor_id from staff_users where lower(email) = ${app.staffEmail}`;
  const password = 'viewer-e2e-password';
  await app.sql`insert into staff_users (vendor_id, email, name, password_hash, role) values (${vendor.vendor_id}, 'viewer@demo.patchbay.dev', 'Vera Viewer', ${await bcrypt.hash(password, 10)}, 'viewer')
    on conflict do nothing`;
  const vp = await signIn(browser, app, 'viewer@demo.patchbay.dev', password);
  try {
    await vp.goto(`/flows/${flowId}`);
    await expect(vp.getByTestId('read-only-banner')).toBeVisible({ timeout: 60_000 });
    await expect(vp.getByTestId('save-flow')).toBeDisabled();
    await expect(vp.getByTestId('publish-flow')).toBeDisabled();
    await expect(vp.getByTestId('palette-item-cdp.lookup')).toBeDisabled();
    const detail = await (await vp.request.get(`/api/staff/flows/${flowId}`)).json();
    const r = await vp.request.post(`/api/staff/flows/${flowId}/versions`, { data: { definition: detail.definition } });
    expect(r.status()).toBe(403);
  } finally { await vp.context().close(); }
});

test('staff of another vendor cannot open the flow by URL', async ({ browser, app }) => {
  const [v] = await app.sql<{ id: string }[]>`insert into vendors (slug, name) values ('e2e-vendor-b', 'Vendor B') on conflict (slug) do update set name = excluded.name returning id`;
  const password = 'vendor-b-e2e-password';
  await app.sql`insert into staff_users (vendor_id, email, name, password_hash, role) values (${v.id}, 'owner@vendor-b.example', 'Bea B', ${await bcrypt.hash(password, 10)}, 'owner')
    on conflict do nothing`;
  const bp = await signIn(browser, app, 'owner@vendor-b.example', password);
  try {
    await bp.goto(`/flows/${flowId}`);
    await expect(bp.getByTestId('flow-not-found')).toBeVisible({ timeout: 60_000 });
    expect((await bp.request.get(`/api/staff/flows/${flowId}`)).status()).toBe(404);
    // A runnable definition, so only the flow's owner decides the answer: another vendor's flow is not found.
    const definition = { name: 'x', automation: 'x', nodes: [{ id: 'trigger', type: 'trigger.webhook' }], edges: [] };
    expect((await bp.request.post(`/api/staff/flows/${flowId}/test-run`, { data: { definition, input: {} } })).status()).toBe(404);
  } finally { await bp.context().close(); }
});
