// End-to-end, in Chromium: a staff member makes a template from the contact_sync and caller_lookup flows and
// publishes it; a customer opens the portal (a plain portal link), enables it, connects the HubSpot emulator in the
// same panel, sets an option; the first sync fills the CDP and the named URL finds a HubSpot contact for that
// customer; the customer pauses it and the named URL answers 409 automation_paused. Screenshots of the pages land
// in test-results/e2e/screens/.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startHubspotEmulator, type HubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

const screens = path.join(process.cwd(), 'test-results', 'e2e', 'screens');
const uniq = Math.random().toString(36).slice(2, 7);
const customerId = `e2e-tpl-${uniq}`;
const templateName = `HubSpot caller ID ${uniq}`;
const slug = `hubspot_caller_id_${uniq}`;
let emu: HubspotEmulator;
let portal: Page;

async function shot(page: Page, name: string) {
  fs.mkdirSync(screens, { recursive: true });
  await page.screenshot({ path: path.join(screens, `${name}.png`), fullPage: true });
}

const api = (app: { base: string; apiKey: string }, p: string, body?: unknown) => fetch(app.base + p, {
  method: 'POST', headers: { authorization: `Bearer ${app.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
});

test.beforeAll(async () => {
  emu = await startHubspotEmulator({ contacts: 30, companies: 5, token: 'e2e-hubspot-token' });
});

test.afterAll(async () => {
  await portal?.context().close();
  await emu?.close();
});

test('a staff member makes a template from flows and publishes it', async ({ staff }) => {
  await staff.getByTestId('nav-templates').click();
  await expect(staff.getByTestId('templates-page')).toBeVisible();
  // The playbook's templates are there, published, from the demo seed.
  await expect(staff.getByTestId('template-row-caller_id')).toBeVisible();
  await expect(staff.getByTestId('template-row-call_logging')).toBeVisible();
  await shot(staff, 'staff-templates');

  await staff.getByTestId('new-template').click();
  await staff.getByTestId('template-name').fill(templateName);
  await staff.getByTestId('template-description').fill('Caller ID from your HubSpot contacts.');
  await staff.getByTestId('template-flow-contact_sync').check();
  await staff.getByTestId('template-flow-caller_lookup').check();
  await staff.getByTestId('template-options').fill(JSON.stringify([
    { key: 'crm', label: 'Your CRM', type: 'crm', default: 'hubspot', required: true },
    { key: 'incrementalEveryMinutes', label: 'Check for changes every (minutes)', type: 'integer', min: 5, max: 1440, default: 15, required: true },
    { key: 'destinations', label: 'Copy contacts to', type: 'multiChoice', choices: [{ value: 'cdp', label: 'Caller ID' }, { value: 'phonebook', label: 'Phonebook' }], default: ['cdp'], required: true },
  ]));
  await staff.getByTestId('template-save').click();
  await expect(staff.getByTestId('template-detail')).toBeVisible();
  await expect(staff.getByTestId('published-version')).toHaveText('not published');
  await staff.getByTestId('publish-button-1').click();
  await expect(staff.getByTestId('published-version')).toHaveText('published v1');
  await shot(staff, 'staff-template-detail');
});

test('a customer enables it in the portal, connects HubSpot and sets options; the first sync fills the CDP', async ({ browser, app }) => {
  expect((await api(app, '/api/v1/customers', { externalId: customerId, name: `Acme ${uniq}`, defaultCountry: 'US' })).status).toBe(201);
  const link = await (await api(app, `/api/v1/customers/${customerId}/portal-links`)).json() as { url: string };
  const context = await browser.newContext({ baseURL: app.base });
  portal = await context.newPage();
  portal.on('pageerror', (e) => console.log(`    [portal page error] ${e.message}`));
  await portal.goto(link.url, { waitUntil: 'networkidle' });
  await portal.getByTestId('portal-nav-integrations').click();
  await expect(portal.getByTestId('catalogue-page')).toBeVisible();
  const card = portal.getByTestId(`template-${slug}`);
  await expect(card).toBeVisible();
  await shot(portal, 'portal-catalogue');

  await card.getByTestId('enable').click();
  const panel = portal.getByTestId('enable-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('option-crm')).toHaveValue('hubspot');
  await panel.getByTestId('option-incrementalEveryMinutes').fill('30');
  await expect(panel.getByTestId('what-happens')).toContainText('kept in step every 30 minutes');
  // HubSpot is not connected yet: the panel offers its connect form and holds the Enable button back.
  await expect(panel.getByTestId('enable-submit')).toBeDisabled();
  await shot(portal, 'portal-enable-panel');
  const hubspot = panel.getByTestId('needed-hubspot');
  await hubspot.getByTestId('base-url').fill(emu.url);
  await hubspot.getByTestId('field-token').fill('e2e-hubspot-token');
  await hubspot.getByTestId('connect-submit').click();
  await expect(panel.getByTestId('needed-hubspot')).toHaveAttribute('data-connected', 'true');
  await panel.getByTestId('enable-submit').click();
  await expect(portal.getByTestId('catalogue-notice')).toContainText('The first contact sync has started');
  await expect(card.getByTestId('template-state')).toBeVisible();

  // The first sync copies the emulator's contacts into this customer's CDP.
  const [c] = await app.sql<{ id: string }[]>`select id from customers where external_id = ${customerId}`;
  await expect.poll(async () => (await app.sql<{ n: number }[]>`select count(*)::int as n from cdp_contacts where customer_id = ${c.id} and source = 'hubspot' and deleted_at is null`)[0].n, { timeout: 90_000 }).toBeGreaterThanOrEqual(30);
  const [opts] = await app.sql<{ options: Record<string, unknown> }[]>`select options from integrations where customer_id = ${c.id} and automation = 'contact_sync'`;
  expect(opts.options).toMatchObject({ crm: 'hubspot', incrementalEveryMinutes: 30, destinations: ['cdp'] });

  await card.getByTestId('details').click();
  await expect(portal.getByTestId('integration-page')).toBeVisible();
  await expect(portal.getByTestId('sync-counts')).toContainText('copied', { timeout: 60_000 });
  await expect(portal.getByTestId('last-run-contact_sync')).toContainText('succeeded');
  await shot(portal, 'portal-integration');
});

test('the named URL answers for that customer; paused, it answers 409 automation_paused', async ({ app }) => {
  const [row] = await app.sql<{ phone: string; first_name: string }[]>`
    select k.phones[1] as phone, k.first_name from cdp_contacts k join customers c on c.id = k.customer_id
    where c.external_id = ${customerId} and k.source = 'hubspot' and k.kind = 'person' and cardinality(k.phones) > 0 limit 1`;
  const lookup = () => api(app, `/api/v1/customers/${customerId}/automations/caller_lookup`, { phone: row.phone });
  const found = await lookup();
  expect(found.status).toBe(200);
  expect(await found.json()).toMatchObject({ found: true, contact: { source: 'hubspot', firstName: row.first_name } });

  await portal.getByTestId('pause').click();
  await expect(portal.getByTestId('health-summary')).toHaveAttribute('data-state', 'paused');
  await shot(portal, 'portal-integration-paused');
  await expect.poll(async () => (await lookup()).status, { timeout: 15_000 }).toBe(409);
  expect(await (await lookup()).json()).toMatchObject({ error: { code: 'automation_paused' } });

  await portal.getByTestId('resume').click();
  await expect(portal.getByTestId('health-summary')).not.toHaveAttribute('data-state', 'paused');
  await expect.poll(async () => (await lookup()).status, { timeout: 15_000 }).toBe(200);
  await portal.getByTestId('pause').click();
  await expect(portal.getByTestId('health-summary')).toHaveAttribute('data-state', 'paused');
});

test('staff roll a new version out to a canary share, replay recorded runs through it, and roll it back', async ({ staff }) => {
  await staff.getByTestId('nav-templates').click();
  await staff.getByTestId(`template-row-${slug}`).getByRole('link').click();
  await expect(staff.getByTestId('template-detail')).toBeVisible();
  await expect(staff.getByTestId(`template-customer-${customerId}`)).toContainText('v1');
  await staff.getByTestId('new-version').click();
  await staff.getByTestId('template-message').fill('Same flows, second version');
  await staff.getByTestId('template-save').click();
  await expect(staff.getByTestId('version-2')).toBeVisible();
  await staff.getByTestId('publish-button-2').click();
  await expect(staff.getByTestId('version-2')).not.toContainText('draft');
  // Published: the control now rolls out (a 50 % canary of this template's one customer reaches it).
  await staff.getByTestId('rollout-percent-2').fill('50');
  await staff.getByTestId('publish-button-2').click();
  await expect(staff.getByTestId('publish-result-2')).toContainText('1 customer(s) moved');
  await expect(staff.getByTestId(`template-customer-${customerId}`)).toContainText('v2');

  await staff.getByTestId('shadow-from').selectOption('1');
  await staff.getByTestId('shadow-to').selectOption('2');
  await staff.getByTestId('shadow-run').click();
  await expect(staff.getByTestId('shadow-summary')).toContainText('recorded run(s) replayed; 0 differ');
  await expect(staff.getByTestId('shadow-case').first()).toHaveAttribute('data-same', 'true');
  await shot(staff, 'staff-template-rollout-shadow');

  await staff.getByTestId('rollouts-table').getByTestId('rollback').click();
  await expect(staff.getByTestId('rollouts-table')).toContainText('rolled back');
  await expect(staff.getByTestId(`template-customer-${customerId}`)).toContainText('v1');
});

test('shadow replay shows where a new version answers differently, side by side', async ({ staff }) => {
  // A new caller_lookup flow version (saved, not published: nobody runs it) whose answer adds a field, and a
  // template version 3 that names it.
  const templateId = new URL(staff.url()).pathname.split('/').pop()!;
  const flows = await (await staff.request.get('/api/staff/flows')).json() as { id: string; automation: string }[];
  const lookup = flows.find((f) => f.automation === 'caller_lookup')!;
  const sync = flows.find((f) => f.automation === 'contact_sync')!;
  const current = await (await staff.request.get(`/api/staff/flows/${lookup.id}`)).json() as { definition: { nodes: { id: string; params: { body?: Record<string, unknown> } }[] } };
  const definition = structuredClone(current.definition);
  const found = definition.nodes.find((n) => n.id === 'respond_found')!;
  found.params.body = { ...found.params.body, greeting: 'Hello from v3' };
  const saved = await staff.request.post(`/api/staff/flows/${lookup.id}/versions`, { data: { definition, message: 'Greets the caller (shadow test)' } });
  expect(saved.status()).toBe(201);
  const lookupVersion = (await saved.json() as { version: number }).version;
  const v3 = await staff.request.post(`/api/staff/templates/${templateId}/versions`, { data: {
    name: templateName, description: 'Caller ID from your HubSpot contacts.', flows: [{ flowId: sync.id, version: 1 }, { flowId: lookup.id, version: lookupVersion }], connections: ['crm'],
    options: [{ key: 'crm', label: 'Your CRM', type: 'crm', default: 'hubspot', required: true }], message: 'Greeting',
  } });
  expect(v3.status()).toBe(201);
  await staff.reload();
  await expect(staff.getByTestId('version-3')).toBeVisible();
  await staff.getByTestId('shadow-from').selectOption('1');
  await staff.getByTestId('shadow-to').selectOption('3');
  await staff.getByTestId('shadow-run').click();
  await expect(staff.getByTestId('shadow-summary')).toContainText(/replayed; [1-9]\d* differ/);
  const differing = staff.locator('[data-testid="shadow-case"][data-same="false"]').first();
  await expect(differing.getByTestId('shadow-differences')).toContainText('body.greeting');
  await expect(differing.getByTestId('shadow-new')).toContainText('Hello from v3');
  await expect(differing.getByTestId('shadow-old')).not.toContainText('Hello from v3');
  await differing.scrollIntoViewIfNeeded();
  fs.mkdirSync(screens, { recursive: true });
  await differing.screenshot({ path: path.join(screens, 'staff-shadow-diff.png') });
});

test('staff see the customer, its integrations and the template\'s customers', async ({ staff }) => {
  await staff.getByTestId('nav-customers').click();
  await expect(staff.getByTestId('customers-page')).toBeVisible();
  await staff.getByTestId('customer-search').fill(customerId);
  await expect(staff.getByTestId(`customer-row-${customerId}`)).toBeVisible();
  await shot(staff, 'staff-customers');
  await staff.getByTestId(`customer-row-${customerId}`).getByRole('link').click();
  await expect(staff.getByTestId('customer-detail')).toBeVisible();
  await expect(staff.getByTestId('customer-integrations')).toContainText('caller_lookup');
  await expect(staff.getByTestId('customer-templates')).toContainText(templateName);
  await expect(staff.getByTestId('customer-syncs')).toContainText('hubspot');
  await shot(staff, 'staff-customer-detail');
});
