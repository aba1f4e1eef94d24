// End-to-end, in Chromium: the pages run under Patchbay's Content-Security-Policy without a single violation
// (sign-in, flows, editor, runs, syncs, portal), the sign-in page cannot be framed, the vendor sets a
// customer's phone-system connection on the Syncs page, and staff sign-out revokes the session server-side
// (a copied session cookie stops working at once). Uses its own signed-in browser context (it signs out at the
// end), not the shared staff page of the other specs.
import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

let page: Page;
const violations: string[] = [];

test.beforeAll(async ({ browser, app }) => {
  page = await signIn(browser, app, app.staffEmail, app.staffPassword);
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text().slice(0, 300)}`); });
  page.on('pageerror', (e) => violations.push(`${page.url()}: ${e.message}`));
});

test.afterAll(async () => { await page?.context().close(); });

test('the sign-in page carries the security headers', async ({ app }) => {
  const r = await fetch(`${app.base}/login`);
  expect(r.headers.get('content-security-policy') ?? '').toMatch(/frame-ancestors 'none'/);
  expect(r.headers.get('x-frame-options')).toBe('DENY');
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  expect(r.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
});

test('a page of another site cannot frame the sign-in page', async ({ browser, app }) => {
  const framer = await browser.newPage();
  await framer.setContent(`<iframe id="f" src="${app.base}/login"></iframe>`);
  // Give the frame time to load if it were allowed to; the form must never render inside it.
  await framer.waitForLoadState('networkidle');
  const frame = framer.frames().find((f) => f.url().includes('/login'));
  const loaded = frame ? await frame.locator('[data-testid="login-email"]').count().catch(() => 0) : 0;
  await framer.close();
  expect(loaded, 'the sign-in form rendered inside a foreign frame').toBe(0);
});

test('the staff pages and the editor run under the CSP', async ({ app }) => {
  for (const p of ['/flows', '/runs', '/syncs', '/calls', '/embed']) expect((await page.goto(app.base + p, { waitUntil: 'networkidle' }))?.status(), p).toBe(200);
  await page.goto(app.base + '/flows', { waitUntil: 'networkidle' });
  const href = await page.locator('a[href^="/flows/"]').first().getAttribute('href');
  expect(href, 'a flow to open').toBeTruthy();
  await page.goto(app.base + href, { waitUntil: 'networkidle' });
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
});

test('the vendor sets a customer\'s phone-system connection on the Syncs page', async ({ app }) => {
  await page.goto(app.base + '/syncs', { waitUntil: 'networkidle' });
  await page.getByTestId('phone-system-base-url').fill('http://127.0.0.1:4020');
  await page.getByTestId('phone-system-token').fill('tok');
  await page.getByTestId('phone-system-webhook-secret').fill('whsec_0123456789abcdef');
  await page.getByTestId('phone-system-save').click();
  await expect(page.getByTestId('phone-system-notice')).toBeVisible();
  await expect(page.getByTestId('phone-system-status')).toContainText('webhook secret set');
});

test('the customer portal runs under the CSP', async ({ browser, app }) => {
  const r = await fetch(`${app.base}/api/v1/customers/demo/portal-links`, { method: 'POST', headers: { authorization: `Bearer ${app.apiKey}`, 'content-type': 'application/json' }, body: '{}' });
  expect(r.status).toBe(201);
  const { url } = await r.json() as { url: string };
  const portal = await browser.newPage();
  portal.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${portal.url()}: ${m.text().slice(0, 300)}`); });
  portal.on('pageerror', (e) => violations.push(`${portal.url()}: ${e.message}`));
  await portal.goto(app.base + url, { waitUntil: 'networkidle' });
  await expect(portal.getByTestId('portal-customer')).toBeVisible();
  await portal.close();
});

test('staff sign-out revokes the session server-side: a copied cookie stops working', async ({ app }) => {
  const token = (await page.context().cookies()).find((c) => c.name === 'next-auth.session-token')!.value;
  const me = async () => (await fetch(`${app.base}/api/staff/me`, { headers: { cookie: `next-auth.session-token=${token}` } })).status;
  expect(await me(), 'the session works before sign-out').toBe(200);
  await page.goto(app.base + '/flows', { waitUntil: 'networkidle' });
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out').click();
  await page.waitForURL(/\/login/);
  expect(await me(), 'the copied session cookie still works after sign-out').toBe(401);
});

test('no Content-Security-Policy violation or page error on any of those pages', async () => {
  expect(violations, violations.join('\n')).toEqual([]);
});
