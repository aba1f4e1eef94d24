// The Syncs page for a customer whose contacts were never synced (issue 20, item 8): staff start the first sync from
// the page (no CLI), the run's card shows when the next run is due (ahead, as the staff API says) and a full run's
// comparison counts (ids compared; per destination held, gone, deleted), not "read 0, written 0".
import { request as playwrightRequest } from '@playwright/test';
import { startHubspotEmulator, type HubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { expect, test } from './fixtures';

const uniq = Math.random().toString(36).slice(2, 7);
const customer = `sync-e2e-${uniq}`;
const TOKEN = `hs-e2e-${uniq}`;
let emu: HubspotEmulator;

test.beforeAll(async ({ app }) => {
  emu = await startHubspotEmulator({ contacts: 40, companies: 3, token: TOKEN });
  const api = await playwrightRequest.newContext({ baseURL: app.base, extraHTTPHeaders: { authorization: `Bearer ${app.apiKey}` } });
  expect((await api.post('/api/v1/customers', { data: { externalId: customer, name: `Sync Co ${uniq}`, defaultCountry: 'US' } })).status()).toBe(201);
  const link = await api.post(`/api/v1/customers/${customer}/portal-links`);
  expect(link.status()).toBe(201);
  const { url } = await link.json() as { url: string };
  await api.dispose();
  // The customer connects their HubSpot in the portal (the portal API, with the session the link opens).
  const portal = await playwrightRequest.newContext({ baseURL: app.base });
  const opened = await portal.get(url, { maxRedirects: 0 });
  expect(opened.status()).toBe(303);
  const put = await portal.put(`/api/portal/${customer}/connections/hubspot`, { data: { baseUrl: emu.url, credentials: { token: TOKEN } } });
  expect(put.status(), await put.text()).toBeLessThan(300);
  await portal.dispose();
});

test.afterAll(async () => { await emu?.close(); });

test('starts the first sync of a customer from the page and shows the full run\'s comparison and the next run ahead', async ({ staff: page }) => {
  await page.goto('/syncs');
  await expect(page.getByTestId('syncs-page')).toBeVisible();
  const form = page.getByTestId('start-sync');
  await expect(form).toBeVisible();
  await expect(page.locator('[data-testid="sync-card"]', { hasText: `Sync Co ${uniq}` })).toHaveCount(0);
  await form.getByTestId('start-sync-customer').selectOption(customer);
  // The CRM the customer connected is offered first, without the "not connected" warning.
  await expect(form.getByTestId('start-sync-source')).toHaveValue('hubspot');
  await expect(form.getByTestId('start-sync-warning')).toHaveCount(0);
  await expect(form.getByTestId('start-sync-mode')).toHaveValue('full');
  await expect(form.getByTestId('start-sync-submit')).toHaveText('Start sync');
  await form.getByTestId('start-sync-submit').click();
  await expect(form.getByTestId('start-sync-notice')).toContainText('Started');

  const card = page.locator('[data-testid="sync-card"]', { hasText: `Sync Co ${uniq}` });
  await expect(card).toBeVisible();
  // The run finishes on its own (the page polls); then the full comparison's counts show.
  await expect(card.getByTestId('sync-last-run')).toBeVisible({ timeout: 90_000 });
  await expect(card.getByTestId('sync-last-run')).toContainText(/succeeded/i);
  await expect(card.getByTestId('sync-compared')).toHaveText(/^ids compared \d+$/);
  const compared = Number((await card.getByTestId('sync-compared').textContent())!.replace(/\D/g, ''));
  expect(compared).toBeGreaterThanOrEqual(40);
  await expect(card.getByTestId('sync-comparison').first()).toContainText(/held, 0 gone from the CRM, 0 deleted/);
  // The next incremental run is ahead of now, as the staff API says — not "just now".
  await expect(card).toContainText(/next run in 1[45] min/);
  const syncs = await page.request.get('/api/staff/syncs');
  const mine = (await syncs.json() as { customer: { externalId: string }; nextRunAt: string }[]).find((s) => s.customer.externalId === customer)!;
  expect(Date.parse(mine.nextRunAt)).toBeGreaterThan(Date.now() + 13 * 60_000);
  // The form now offers another run of the existing sync.
  await expect(form.getByTestId('start-sync-submit')).toHaveText('Run now');
});
