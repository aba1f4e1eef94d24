// End-to-end: a newcomer builds the call-routing flow by drag and drop (trigger → cdp.lookup → condition on
// custom.tier == gold → two Respond blocks). The editor lists what is missing and refuses to publish (writing
// nothing), asks before leaving with unsaved changes, and the test runs for a gold caller, a known caller without
// a tier and an unknown caller all answer.
import { connect, dropBlock, expect, node, select, setText, test } from './fixtures';

const GOLD = '+1 415 555 0161';
const PLAIN = '+1 415 555 0162';
const UNKNOWN = '+1 415 555 0199';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ app, request }) => {
  // A gold caller and one synced from a CRM that has no tier at all.
  const r = await request.post(`${app.base}/api/v1/customers/demo/cdp/contacts`, {
    headers: { authorization: `Bearer ${app.apiKey}` },
    data: { contacts: [
      { source: 'e2e', externalId: 'gold-1', firstName: 'Goldie', lastName: 'Routed', phones: [GOLD], custom: { tier: 'gold' } },
      { source: 'e2e', externalId: 'plain-1', firstName: 'Plain', lastName: 'Routed', phones: [PLAIN] },
    ] },
  });
  expect(r.status(), await r.text()).toBe(200);
});

test('starts a blank flow for call routing', async ({ staff: page }) => {
  await page.goto('/flows');
  await page.getByTestId('flow-create').click();
  await page.getByTestId('template-blank').check();
  await page.getByTestId('create-flow-name').fill('E2E routing');
  await page.getByTestId('create-flow-automation').fill('e2e_routing');
  await page.getByTestId('create-flow-submit').click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  await expect(node(page, 'trigger')).toBeVisible();
});

test('drags lookup, condition and two Respond blocks and wires them', async ({ staff: page }) => {
  // The canvas is about 720 px wide at this window size; the trigger sits in its middle.
  await dropBlock(page, 'cdp.lookup', { x: 160, y: 120 }, 'lookup');
  await page.getByTestId('palette-search').fill('condition');
  await dropBlock(page, 'condition', { x: 420, y: 120 }, 'condition');
  await page.getByTestId('palette-search').fill('respond');
  await dropBlock(page, 'respond.json', { x: 620, y: 250 }, 'respond');
  await dropBlock(page, 'respond.json', { x: 620, y: 450 }, 'respond_2');
  await page.getByTestId('palette-search').fill('');
  await page.locator('.react-flow__controls-fitview').click();
  await expect(node(page, 'respond_2')).toBeInViewport();
  await connect(page, 'trigger', 'out', 'lookup');
  await connect(page, 'lookup', 'found', 'condition');
  await connect(page, 'lookup', 'notFound', 'respond_2');
  await connect(page, 'condition', 'true', 'respond');
  await connect(page, 'condition', 'false', 'respond_2');
  await expect(page.locator('.react-flow__edge')).toHaveCount(5);
});

test('the problems panel lists the empty Condition and Respond blocks', async ({ staff: page }) => {
  await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  const issues = page.getByTestId('flow-issues');
  await expect(issues).toContainText('Condition → Left is required');
  await expect(issues).toContainText('Respond with JSON → Body is required');
  await expect(issues).toContainText('Look up caller in CDP → Phone is required');
  await expect(page.getByTestId('flow-valid')).toHaveCount(0);
  await expect(page.getByTestId('node-issue-marker-condition')).toBeVisible();
  await expect(page.getByTestId('node-issue-marker-respond')).toBeVisible();
});

test('publishing with problems is refused before anything is written', async ({ staff: page }) => {
  await page.getByTestId('publish-flow').click();
  const problems = page.getByTestId('save-problems');
  await expect(problems).toContainText('Not published, nothing saved');
  await expect(problems).toContainText('Condition → Left is required');
  await expect(problems).toContainText('Respond with JSON → Body is required');
  await expect(page.getByTestId('flow-status')).toHaveText('draft');
  await expect(page.getByTestId('version-select').locator('option')).toHaveCount(1);
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  await problems.getByRole('button', { name: 'Dismiss' }).click();
});

test('leaving the editor with unsaved changes asks first', async ({ staff: page }) => {
  const url = page.url();
  const asked: string[] = [];
  page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await page.getByRole('link', { name: 'Back to flows' }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain('unsaved changes');
  await expect(page).toHaveURL(url);
  await expect(node(page, 'condition')).toBeVisible();
  page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await page.getByTestId('nav-runs').click();
  await expect.poll(() => asked.length).toBe(2);
  await expect(page).toHaveURL(url);
});

test('fills the blocks: lookup by the caller, gold tier test, two answers', async ({ staff: page }) => {
  await select(page, 'lookup');
  await setText(page, 'param-phone', '=trigger.phone');
  await select(page, 'condition');
  await setText(page, 'param-left', '=steps.lookup.contact.custom.tier');
  await page.getByTestId('param-operator').selectOption('equals');
  await setText(page, 'param-right', 'gold');
  await select(page, 'respond');
  await setText(page, 'param-body', '{ "route": "priority", "caller": {{ steps.lookup.contact.displayName }} }');
  await select(page, 'respond_2');
  await setText(page, 'param-body', '{ "route": "main" }');
  await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  await expect(page.getByTestId('flow-valid')).toBeVisible();
});

for (const [who, phone, answer] of [
  ['a gold caller', GOLD, { route: 'priority', caller: 'Goldie Routed' }],
  ['a known caller without a tier', PLAIN, { route: 'main' }],
  ['an unknown caller', UNKNOWN, { route: 'main' }],
] as const) {
  test(`test-runs for ${who}: the flow answers`, async ({ staff: page }) => {
    await page.getByTestId('tab-test').click();
    await page.getByTestId('test-input').fill(JSON.stringify({ phone }));
    await page.getByTestId('run-test-input').click();
    await expect(page.getByTestId('test-status')).toContainText('succeeded');
    await expect.poll(async () => JSON.parse((await page.getByTestId('test-response').textContent()) ?? 'null')).toEqual(answer);
    await expect(page.getByTestId('test-error')).toHaveCount(0);
  });
}

test('publishes, then leaves without being asked', async ({ staff: page }) => {
  await page.getByTestId('publish-flow').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Published v2' })).toBeVisible();
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  let asked = false;
  page.once('dialog', (d) => { asked = true; void d.dismiss(); });
  await page.getByRole('link', { name: 'Back to flows' }).click();
  await page.waitForURL(/\/flows$/);
  expect(asked).toBe(false);
});
