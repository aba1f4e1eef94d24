// The vendor's product embeds Patchbay (issue 16 item 6, issue 12 item 3), in Chromium, on a host page served
// from another site (a tiny static server on http://localhost:<port>, while Patchbay is http://127.0.0.1:<port>):
// staff set the branding, the allowed origin and the widget actions on the Embed page; the agent widget (one
// <script> tag, shadow DOM) shows the caller card on a page whose CSS is hostile, its button runs the automation
// and shows the answer, and a widget token of another customer (or a page at a non-allowed origin) gets no data;
// the customer portal works inside an iframe on that site (connect HubSpot) with the vendor's branding, and a customer
// enables a template there, its first sync fills the CDP, the named URL answers, and paused it answers 409.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startHubspotEmulator, type HubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { createTicketFlow, resendInvoiceFlow } from '../lib/widget/example-flows';
import { expect, test } from './fixtures';

const shots = path.join(process.cwd(), 'test-results', 'e2e', 'screenshots');
const pages = new Map<string, string>();
/** The vendor's backend: mints widget tokens with its API key for its own pages (set once the app is known). */
let mintForPage: (() => Promise<string>) | null = null;
let minted = 0;
let hostServer: http.Server;
let hostPort = 0;
let hubspot: HubspotEmulator;
const uniq = Math.random().toString(36).slice(2, 7);
const otherCustomer = `embed-other-${uniq}`;
const LOGO = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="32" height="32" rx="8" fill="#f59e0b"/><text x="40" y="23" font-family="sans-serif" font-size="18" font-weight="700" fill="#ffffff">Acme</text></svg>').toString('base64')}`;

/** The vendor's product: another site (localhost vs 127.0.0.1), serving whatever pages the test puts in `pages`. */
const hostUrl = (p: string, host = 'localhost') => `http://${host}:${hostPort}${p}`;

test.beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  hostServer = http.createServer((req, res) => {
    if (req.url === '/my/widget-token' && mintForPage) {
      minted++;
      void mintForPage().then((t) => { res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }); res.end(t); });
      return;
    }
    const html = pages.get((req.url ?? '/').split('?')[0]);
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  hostPort = (hostServer.address() as AddressInfo).port;
  hubspot = await startHubspotEmulator({ contacts: 5, token: 'embed-hs-token' });
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => hostServer?.close(() => resolve()));
  await hubspot?.close();
});

async function publicApi(app: { base: string; apiKey: string }, p: string, body: unknown = {}) {
  const r = await fetch(app.base + p, { method: 'POST', headers: { authorization: `Bearer ${app.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json().catch(() => null);
  return { status: r.status, body: json };
}

test('staff set branding, the allowed origin and the widget actions on the Embed page', async ({ staff, app }) => {
  const violations: string[] = [];
  staff.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text().slice(0, 300)); });
  // Two automations to put behind buttons, published and enabled for customer demo.
  for (const def of [resendInvoiceFlow(), createTicketFlow()]) {
    const created = await staff.request.post('/api/staff/flows', { data: { definition: def }, headers: { origin: app.base } });
    expect(created.status(), await created.text()).toBe(201);
    const { id, version } = await created.json();
    expect((await staff.request.post(`/api/staff/flows/${id}/publish`, { data: { version }, headers: { origin: app.base } })).status()).toBe(200);
    expect((await publicApi(app, '/api/v1/customers/demo/integrations', { flowId: id })).status).toBe(200);
  }
  expect((await publicApi(app, '/api/v1/customers', { externalId: otherCustomer, name: 'Other Customer', defaultCountry: 'US' })).status).toBe(201);

  await staff.getByTestId('nav-embed').click();
  await expect(staff.getByTestId('embed-form')).toBeVisible();
  await staff.getByTestId('embed-brand-name').fill('Acme Voice');
  await staff.getByTestId('embed-primary-color').fill('#0f766e');
  await staff.getByTestId('embed-accent-color').fill('#0b3b5c');
  await staff.getByTestId('embed-logo').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(Buffer.from(LOGO.split(',')[1], 'base64')) });
  await expect(staff.getByTestId('embed-logo-preview')).toBeVisible();
  await staff.getByTestId('embed-origins').fill(`${hostUrl('')}\nhttps://app.acme-voice.example`);

  // Two actions: the first added row is edited to "Resend last invoice", the second to "Create ticket".
  await staff.getByTestId('widget-action-add').click();
  await staff.getByTestId('widget-action-add').click();
  await staff.getByTestId('widget-action-automation-0').selectOption('resend_last_invoice');
  await staff.getByTestId('widget-action-label-0').fill('Resend last invoice');
  await staff.getByTestId('widget-action-key-0').fill('resend_invoice');
  await staff.getByTestId('widget-action-automation-1').selectOption('create_ticket');
  await staff.getByTestId('widget-action-label-1').fill('Create ticket');
  await staff.getByTestId('widget-action-key-1').fill('create_ticket');
  await staff.getByTestId('embed-save').click();
  await expect(staff.getByTestId('embed-notice')).toHaveText('Saved.');

  // A bad origin is refused, naming it, and nothing is saved.
  await staff.getByTestId('embed-origins').fill('ftp://nope.example/path');
  await staff.getByTestId('embed-save').click();
  await expect(staff.getByTestId('embed-notice')).toContainText('allowedOrigins.0');
  await staff.reload();
  await expect(staff.getByTestId('embed-origins')).toHaveValue(`${hostUrl('')}\nhttps://app.acme-voice.example`);
  await expect(staff.getByTestId('widget-action-label-1')).toHaveValue('Create ticket');
  await expect(staff.getByTestId('widget-script-tag')).toContainText(`${app.base}/api/widget/v1/widget.js`);
  await staff.screenshot({ path: path.join(shots, 'embed-staff-page.png'), fullPage: true });

  // "Try the widget": the real widget, on the staff page, for customer demo and a known number.
  await staff.getByTestId('widget-preview-customer').selectOption('demo');
  await staff.getByTestId('widget-preview-phone').fill('(415) 704-0007');
  await staff.getByTestId('widget-preview-show').click();
  const preview = staff.getByTestId('widget-preview-box').locator('patchbay-widget');
  await expect(preview.getByTestId('pb-caller-name')).toHaveText('Barbara Lovelace');
  await expect(preview.getByTestId('pb-action-resend_invoice')).toHaveText('Resend last invoice');
  await staff.getByTestId('widget-preview').screenshot({ path: path.join(shots, 'embed-staff-preview.png') });

  // The save is on the Audit page (the refused one is not), naming what changed.
  await staff.getByTestId('nav-audit').click();
  await staff.getByTestId('audit-kind').selectOption('embed_settings');
  await expect(staff.getByTestId('audit-row')).toHaveCount(1);
  await expect(staff.getByTestId('audit-row')).toContainText('embed_settings.update');
  await expect(staff.getByTestId('audit-row')).toContainText('"added":["resend_invoice","create_ticket"]');
  expect(violations, 'the Embed page and the widget preview run under the staff CSP').toEqual([]);
});

/** A host page with hostile CSS and the one script tag. */
function widgetPage(app: { base: string }, o: { customer: string; token: string; phone: string; callId: string }): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Acme agent desktop</title>
<style>
  * { font-family: "Comic Sans MS", cursive !important; color: #ff0000 !important; }
  button { display: none !important; }
  p, h1 { font-size: 30px !important; }
  body { background: #fafaf0; margin: 24px; }
</style></head>
<body><h1>Agent desktop</h1><p>Call in progress…</p>
<div id="crm-panel" style="width:360px">
<script src="${app.base}/api/widget/v1/widget.js" data-customer="${o.customer}" data-token="${o.token}" data-phone="${o.phone}" data-call-id="${o.callId}"></script>
</div></body></html>`;
}

async function openHostPage(page: Page, p: string, host?: string) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(hostUrl(p, host));
  return errors;
}

test('the agent widget renders on the vendor\'s page, runs an action and shows the result', async ({ browser, app }) => {
  const token = (await publicApi(app, '/api/v1/customers/demo/widget-tokens', { expiresInSeconds: 600 })).body.token as string;
  pages.set('/desk.html', widgetPage(app, { customer: 'demo', token, phone: '(415) 704-0007', callId: `call-${uniq}` }));
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = await openHostPage(page, '/desk.html');
  expect(new URL(page.url()).origin).not.toBe(new URL(app.base).origin);

  const widget = page.locator('patchbay-widget');
  await expect(widget.getByTestId('pb-caller-name')).toHaveText('Barbara Lovelace');
  await expect(widget.getByTestId('pb-caller-company')).toHaveText('Abstraction Ltd');
  await expect(widget.getByTestId('pb-crm-link')).toHaveAttribute('href', /^https:\/\//);
  // The host's CSS does not reach in: its buttons are hidden and its text red, the widget's are not.
  const resend = widget.getByTestId('pb-action-resend_invoice');
  await expect(resend).toBeVisible();
  await expect(resend).toHaveText('Resend last invoice');
  await expect(widget.getByTestId('pb-action-create_ticket')).toBeVisible();
  expect(await widget.getByTestId('pb-caller-name').evaluate((el) => getComputedStyle(el).color)).not.toBe('rgb(255, 0, 0)');
  expect(await resend.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)'); // the vendor's colour
  // …and the widget's styles do not leak out.
  expect(await page.locator('h1').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 0, 0)');

  await resend.click();
  const result = widget.getByTestId('pb-result');
  await expect(result).toHaveAttribute('data-ok', 'true');
  await expect(result).toContainText('Last invoice resent to Barbara Lovelace <barbara.lovelace.');
  await widget.getByTestId('pb-action-create_ticket').click();
  await expect(result).toContainText(`Ticket created for call call-${uniq} from (415) 704-0007`);
  await page.locator('#crm-panel').screenshot({ path: path.join(shots, 'widget-on-host-page.png') });
  await page.screenshot({ path: path.join(shots, 'widget-host-page-full.png') });

  // The desktop moves to another call: the card follows.
  await widget.evaluate((el) => (el as unknown as { setCall(c: { phone: string }): void }).setCall({ phone: '+1 202 555 0199' }));
  await expect(widget.getByTestId('pb-caller-name')).toHaveText('Unknown caller');
  expect(errors).toEqual([]);
  await page.close();
});

test('mounted by script with a token provider: a rejected token is replaced by one the vendor\'s backend mints', async ({ browser, app }) => {
  mintForPage = async () => (await publicApi(app, '/api/v1/customers/demo/widget-tokens', { expiresInSeconds: 60 })).body.token as string;
  pages.set('/desk-js.html', `<!doctype html><html><head><meta charset="utf-8"></head><body><div id="panel" style="width:360px"></div>
<script src="${app.base}/api/widget/v1/widget.js"></script>
<script>
  window.widgetEl = PatchbayWidget.mount('#panel', {
    customer: 'demo', token: 'pbw_bm90LmEudG9rZW4.bm9wZQ', phone: '+1 415-704-0007',
    getToken: () => fetch('/my/widget-token').then((r) => r.text()),
  });
</script></body></html>`);
  const page = await browser.newPage({ viewport: { width: 600, height: 500 } });
  const errors = await openHostPage(page, '/desk-js.html');
  const widget = page.locator('#panel patchbay-widget');
  await expect(widget.getByTestId('pb-caller-name')).toHaveText('Barbara Lovelace');
  expect(minted).toBe(1);
  await widget.getByTestId('pb-action-create_ticket').click();
  await expect(widget.getByTestId('pb-result')).toContainText('Ticket created for call');
  expect(minted).toBe(1); // the fresh token is kept
  expect(errors).toEqual([]);
  await page.close();
});

test('a widget token for another customer, or a page outside the allowed origins, gets no data', async ({ browser, app }) => {
  const other = (await publicApi(app, `/api/v1/customers/${otherCustomer}/widget-tokens`)).body.token as string;
  pages.set('/foreign.html', widgetPage(app, { customer: 'demo', token: other, phone: '(415) 704-0007', callId: 'c-x' }));
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  const seen: string[] = [];
  page.on('response', (r) => { if (r.url().includes('/api/widget/v1/customers/')) seen.push(`${r.status()} ${r.url()}`); });
  await openHostPage(page, '/foreign.html');
  const widget = page.locator('patchbay-widget');
  await expect(widget.getByTestId('pb-error')).toHaveText('Not available for this customer.');
  await expect(widget.getByTestId('pb-caller-name')).toHaveCount(0);
  await expect(widget).not.toContainText('Barbara');
  expect(seen.some((s) => s.startsWith('404 '))).toBe(true);
  await page.locator('#crm-panel').screenshot({ path: path.join(shots, 'widget-foreign-token.png') });

  // The demo customer's own token, but on a page of an origin the vendor did not allow (127.0.0.1:<host port>).
  const own = (await publicApi(app, '/api/v1/customers/demo/widget-tokens')).body.token as string;
  pages.set('/elsewhere.html', widgetPage(app, { customer: 'demo', token: own, phone: '(415) 704-0007', callId: 'c-y' }));
  await openHostPage(page, '/elsewhere.html', '127.0.0.1');
  await expect(widget.getByTestId('pb-error')).toContainText('is not one of the vendor\'s allowed origins');
  await expect(widget).not.toContainText('Barbara');
  await page.close();
});

test('the customer portal works inside an iframe on the vendor\'s site, branded', async ({ browser, app }) => {
  const link = await publicApi(app, '/api/v1/customers/demo/portal-links', { embed: true });
  expect(link.status).toBe(201);
  pages.set('/integrations.html', `<!doctype html><html><head><meta charset="utf-8"><title>Acme Voice – Integrations</title></head>
<body style="margin:0;font-family:sans-serif;background:#eef2f7">
<div style="padding:12px 20px;background:#111827;color:#fff">Acme Voice admin · Settings › Integrations</div>
<iframe id="portal" src="${app.base}${link.body.url}" style="width:100%;height:900px;border:0" title="Integrations"></iframe>
</body></html>`);
  const page = await browser.newPage({ viewport: { width: 1200, height: 980 } });
  const errors = await openHostPage(page, '/integrations.html');
  const frame = page.frameLocator('#portal');
  await expect(frame.getByTestId('portal-customer')).toBeVisible();
  await expect(frame.getByTestId('portal-shell')).toHaveAttribute('data-embedded', 'true');
  await expect(frame.getByTestId('portal-brand')).toContainText('Acme Voice · Integrations');
  await expect(frame.getByTestId('portal-logo')).toBeVisible();

  // Connect HubSpot (the emulator) inside the frame: the session cookie travels in the third-party context,
  // the write passes the CSRF check, the connection test runs.
  const card = frame.getByTestId('connector-hubspot');
  if (await card.getByTestId('reconnect').count()) await card.getByTestId('reconnect').click();
  await card.getByTestId('base-url').fill(hubspot.url);
  await card.getByTestId('field-token').fill('embed-hs-token');
  await card.getByTestId('connect-submit').click();
  await expect(card.getByTestId('connection-status')).toHaveAttribute('data-status', 'ok');
  await expect(card.getByTestId('test-result')).toBeVisible();
  // The top bar takes the vendor's colour.
  expect(await frame.getByTestId('portal-brand').evaluate((el) => getComputedStyle(el.parentElement!).backgroundColor)).toBe('rgb(11, 59, 92)');
  await page.screenshot({ path: path.join(shots, 'portal-embedded.png') });
  expect(errors).toEqual([]);

  // Saved server-side for that customer.
  const [row] = await app.sql`select status from connections c join customers u on u.id = c.customer_id where u.external_id = 'demo' and c.system = 'hubspot'`;
  expect(row.status).toBe('ok');
  await page.close();
});

test('inside the iframe a customer enables a template, connects HubSpot, the first sync fills the CDP and the named URL answers; paused, it answers 409', async ({ browser, app }) => {
  const customer = `embed-tpl-${uniq}`;
  expect((await publicApi(app, '/api/v1/customers', { externalId: customer, name: `Embedded ${uniq}`, defaultCountry: 'US' })).status).toBe(201);
  const link = await publicApi(app, `/api/v1/customers/${customer}/portal-links`, { embed: true });
  pages.set('/catalogue.html', `<!doctype html><html><head><meta charset="utf-8"><title>Acme Voice – Integrations</title></head>
<body style="margin:0;font-family:sans-serif"><iframe id="portal" src="${app.base}${link.body.url}" style="width:100%;height:1200px;border:0"></iframe></body></html>`);
  const page = await browser.newPage({ viewport: { width: 1200, height: 1300 } });
  const errors = await openHostPage(page, '/catalogue.html');
  const frame = page.frameLocator('#portal');
  await frame.getByTestId('portal-nav-integrations').click();
  await expect(frame.getByTestId('catalogue-page')).toBeVisible();
  // The playbook's "Caller ID + contact sync" template, published by the demo seed.
  const card = frame.getByTestId('template-caller_id');
  await card.getByTestId('enable').click();
  const panel = frame.getByTestId('enable-panel');
  await expect(panel.getByTestId('option-crm')).toHaveValue('hubspot');
  const hubspotCard = panel.getByTestId('needed-hubspot');
  await hubspotCard.getByTestId('base-url').fill(hubspot.url);
  await hubspotCard.getByTestId('field-token').fill('embed-hs-token');
  await hubspotCard.getByTestId('connect-submit').click();
  await expect(panel.getByTestId('needed-hubspot')).toHaveAttribute('data-connected', 'true');
  await panel.getByTestId('enable-submit').click();
  await expect(frame.getByTestId('catalogue-notice')).toContainText('The first contact sync has started');

  const [c] = await app.sql<{ id: string }[]>`select id from customers where external_id = ${customer}`;
  await expect.poll(async () => (await app.sql<{ n: number }[]>`select count(*)::int as n from cdp_contacts where customer_id = ${c.id} and source = 'hubspot' and deleted_at is null`)[0].n, { timeout: 90_000 }).toBeGreaterThanOrEqual(5);
  const [row] = await app.sql<{ phone: string }[]>`select phones[1] as phone from cdp_contacts where customer_id = ${c.id} and source = 'hubspot' and kind = 'person' and cardinality(phones) > 0 limit 1`;
  const lookup = () => publicApi(app, `/api/v1/customers/${customer}/automations/caller_lookup`, { phone: row.phone });
  expect(await lookup()).toMatchObject({ status: 200, body: { found: true, contact: { source: 'hubspot' } } });

  await card.getByTestId('details').click();
  await frame.getByTestId('pause').click();
  await expect(frame.getByTestId('health-summary')).toHaveAttribute('data-state', 'paused');
  await expect.poll(async () => (await lookup()).status, { timeout: 15_000 }).toBe(409);
  expect((await lookup()).body).toMatchObject({ error: { code: 'automation_paused' } });
  await page.screenshot({ path: path.join(shots, 'portal-embedded-template-paused.png') });
  expect(errors).toEqual([]);
  await page.close();
});

test('a site the vendor did not allow cannot frame the portal', async ({ browser, app }) => {
  const link = await publicApi(app, '/api/v1/customers/demo/portal-links', { embed: true });
  pages.set('/stolen.html', `<!doctype html><html><body><iframe id="portal" src="${app.base}${link.body.url}" style="width:100%;height:600px;border:0"></iframe></body></html>`);
  const page = await browser.newPage();
  const blocked: string[] = [];
  page.on('console', (m) => { if (/frame-ancestors|Refused to frame/i.test(m.text())) blocked.push(m.text()); });
  await openHostPage(page, '/stolen.html', '127.0.0.1'); // 127.0.0.1:<host port> is not in the allowed origins
  await expect.poll(() => blocked.length, { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(page.frameLocator('#portal').getByTestId('portal-customer')).toHaveCount(0);
  await page.close();
});
