// Two-way contact sync on the Syncs page (issue 19): staff turn a customer's HubSpot sync two-way with a conflict
// rule, the same contact is then edited in HubSpot and in the phone system's phonebook, and the next run's card shows
// each direction's counts and the conflict with both sides' values and what the rule kept.
import { request as playwrightRequest } from '@playwright/test';
import { startHubspotEmulator, type HubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '../engine/connectors/phone-system/emulator';
import { expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

const uniq = Math.random().toString(36).slice(2, 7);
const customer = `twoway-e2e-${uniq}`;
const TOKEN = `hs-2w-${uniq}`;
const PB_TOKEN = `pb-2w-${uniq}`;
let hs: HubspotEmulator;
let pb: PhoneSystemEmulator;

test.beforeAll(async ({ app }) => {
  [hs, pb] = await Promise.all([startHubspotEmulator({ contacts: 6, companies: 0, token: TOKEN }), startPhoneSystemEmulator({ token: PB_TOKEN })]);
  const api = await playwrightRequest.newContext({ baseURL: app.base, extraHTTPHeaders: { authorization: `Bearer ${app.apiKey}` } });
  expect((await api.post('/api/v1/customers', { data: { externalId: customer, name: `Two-way Co ${uniq}`, defaultCountry: 'US' } })).status()).toBe(201);
  const phone = await api.put(`/api/v1/customers/${customer}/connections/phonesystem`, { data: { baseUrl: pb.url, credentials: { token: PB_TOKEN } } });
  expect(phone.status(), await phone.text()).toBeLessThan(300);
  const link = await api.post(`/api/v1/customers/${customer}/portal-links`);
  const { url } = await link.json() as { url: string };
  await api.dispose();
  const portal = await playwrightRequest.newContext({ baseURL: app.base });
  expect((await portal.get(url, { maxRedirects: 0 })).status()).toBe(303);
  const put = await portal.put(`/api/portal/${customer}/connections/hubspot`, { data: { baseUrl: hs.url, credentials: { token: TOKEN } } });
  expect(put.status(), await put.text()).toBeLessThan(300);
  await portal.dispose();
});

test.afterAll(async () => { await Promise.all([hs?.close(), pb?.close()]); });

const card = (page: import('@playwright/test').Page) => page.getByTestId('sync-card').filter({ hasText: `Two-way Co ${uniq}` });

test('the first sync runs one way, into the CDP', async ({ staff: page }) => {
  await page.goto('/syncs');
  const form = page.getByTestId('start-sync');
  await form.getByTestId('start-sync-customer').selectOption(customer);
  await expect(form.getByTestId('start-sync-source')).toHaveValue('hubspot');
  await form.getByTestId('start-sync-submit').click();
  await expect(card(page).getByTestId('sync-last-run')).toContainText(/succeeded/i, { timeout: 90_000 });
  expect(pb.store.contacts()).toHaveLength(0);
});

test('staff turn it two-way with "the phone system wins"; a conflict shows both values and the rule\'s outcome', async ({ staff: page }) => {
  const c = card(page);
  await c.getByTestId('sync-direction-select').selectOption('two_way:phone_wins');
  // Two-way is between the CRM and the phonebook: the phonebook became a destination, and the first run fills it.
  await expect(c.getByTestId('sync-direction')).toContainText('the phone system wins', { timeout: 30_000 });
  await expect(c.locator('h2')).toContainText('hubspot ⇄ cdp + phonebook');
  await expect(c.getByTestId('sync-directions')).toBeVisible({ timeout: 90_000 });
  await expect(c.getByTestId('sync-last-run')).toContainText(/succeeded/i, { timeout: 90_000 });
  await expect.poll(() => pb.store.contacts().filter((e) => e.source === 'hubspot').length, { timeout: 30_000 }).toBe(6);

  // The same person edited on both sides between two runs.
  const person = hs.store.list('contacts')[0];
  const entry = pb.store.contacts().find((e) => e.externalId === person.id && e.source === 'hubspot')!;
  hs.store.update('contacts', person.id, { firstname: 'Crmside', lastname: 'Edit' });
  pb.store.update(entry.id, { firstName: 'Phoneside', lastName: 'Edit' });
  await c.getByTestId('sync-now').click();
  await expect(c.getByTestId('sync-conflict-count')).toHaveText('conflicts 1', { timeout: 90_000 });
  const conflicts = c.getByTestId('sync-conflicts');
  await conflicts.locator('summary').click();
  const row = conflicts.getByTestId('sync-conflict');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('edited on both sides');
  await expect(row).toContainText('Crmside Edit');
  await expect(row).toContainText('Phoneside Edit');
  await expect(row).toContainText('the phone system wins');
  await c.screenshot({ path: 'test-results/e2e/two-way-conflict.png' });
  // The phone system's edit reached HubSpot.
  await expect.poll(() => hs.store.list('contacts').find((r) => r.id === person.id)?.properties.firstname).toBe('Phoneside');
});
