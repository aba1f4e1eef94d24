// End-to-end, in Chromium: the pages run under Patchbay's Content-Security-Policy without a single violation
// (sign-in, flows, editor, runs, syncs, portal), the sign-in page cannot be framed, the vendor sets a
// customer's phone-system connection on the Syncs page, and staff sign-out revokes the session server-side
// (a copied session cookie stops working at once). Starts its own server (embedded PostgreSQL, the web app
// built by an earlier spec or `npm start`). Prints "N passed, N failed"; exits non-zero on a failure.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../tests/api/server-process';

const root = path.resolve(import.meta.dirname, '..');
const results: { name: string; ok: boolean }[] = [];
async function test(name: string, fn: () => Promise<void>) {
  const t0 = Date.now();
  try { await fn(); results.push({ name, ok: true }); console.log(`  ✓ ${name} (${Date.now() - t0} ms)`); } catch (err) {
    results.push({ name, ok: false }); console.log(`  ✗ ${name}\n    ${(err as Error).message.split('\n').join('\n    ')}`);
  }
}
function assert(cond: unknown, message: string): asserts cond { if (!cond) throw new Error(message); }

if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) {
  console.log('  - the web app is not built (run npm start or the builder spec first): skipped\n0 passed, 1 failed');
  process.exit(1);
}
const server = await startServer({ dbKind: 'embedded', env: { PATCHBAY_NO_UI: '0' } });
const creds = /Sign in: \S+ {2}as (\S+) \/ (\S+)/.exec(server.output());
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
const violations: string[] = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text().slice(0, 300)}`); });
  page.on('pageerror', (e) => violations.push(`${page.url()}: ${e.message}`));

  await test('the sign-in page carries the security headers and signs in', async () => {
    const r = await page.goto(`${server.baseUrl}/login`, { waitUntil: 'networkidle', timeout: 120_000 });
    const h = r!.headers();
    assert(/frame-ancestors 'none'/.test(h['content-security-policy'] ?? ''), `CSP: ${h['content-security-policy']}`);
    assert(h['x-frame-options'] === 'DENY' && h['x-content-type-options'] === 'nosniff' && h['referrer-policy'] === 'strict-origin-when-cross-origin', JSON.stringify(h));
    assert(creds, 'the demo sign-in is printed at start');
    await page.getByTestId('login-email').fill(creds[1]);
    await page.getByTestId('login-password').fill(creds[2]);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/flows/, { timeout: 60_000 });
  });

  await test('a page of another site cannot frame the sign-in page', async () => {
    const framer = await browser.newPage();
    await framer.setContent(`<iframe id="f" src="${server.baseUrl}/login"></iframe>`);
    await framer.waitForTimeout(1500);
    const frame = framer.frames().find((f) => f.url().includes('/login'));
    const loaded = frame ? await frame.locator('[data-testid="login-email"]').count().catch(() => 0) : 0;
    await framer.close();
    assert(loaded === 0, 'the sign-in form rendered inside a foreign frame');
  });

  await test('the staff pages and the editor run under the CSP', async () => {
    for (const p of ['/flows', '/runs', '/syncs']) assert((await page.goto(server.baseUrl + p, { waitUntil: 'networkidle', timeout: 60_000 }))?.status() === 200, p);
    await page.goto(server.baseUrl + '/flows', { waitUntil: 'networkidle' });
    const href = await page.locator('a[href^="/flows/"]').first().getAttribute('href');
    assert(href, 'a flow to open');
    await page.goto(server.baseUrl + href, { waitUntil: 'networkidle', timeout: 60_000 });
    await page.waitForTimeout(1000);
  });

  await test('the vendor sets a customer\'s phone-system connection on the Syncs page', async () => {
    await page.goto(server.baseUrl + '/syncs', { waitUntil: 'networkidle' });
    await page.getByTestId('phone-system-base-url').fill('http://127.0.0.1:4020');
    await page.getByTestId('phone-system-token').fill('tok');
    await page.getByTestId('phone-system-webhook-secret').fill('whsec_0123456789abcdef');
    await page.getByTestId('phone-system-save').click();
    await page.getByTestId('phone-system-notice').waitFor({ timeout: 30_000 });
    const status = await page.getByTestId('phone-system-status').textContent();
    assert(/webhook secret set/.test(status ?? ''), `status: ${status}`);
  });

  await test('staff sign-out revokes the session server-side: a copied cookie stops working', async () => {
    const token = (await page.context().cookies()).find((c) => c.name === 'next-auth.session-token')!.value;
    const me = async () => (await fetch(`${server.baseUrl}/api/staff/me`, { headers: { cookie: `next-auth.session-token=${token}` } })).status;
    assert((await me()) === 200, 'the session works before sign-out');
    await page.goto(server.baseUrl + '/flows', { waitUntil: 'networkidle' });
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login/, { timeout: 30_000 });
    assert((await me()) === 401, 'the copied session cookie still works after sign-out');
  });

  await test('the customer portal runs under the CSP', async () => {
    const link = /Customer portal \(connect a CRM; link valid 24 h\): (\S+)/.exec(server.output());
    assert(link, 'the demo portal link is printed at start');
    await page.goto(link[1], { waitUntil: 'networkidle', timeout: 60_000 });
    await page.getByTestId('portal-customer').waitFor({ timeout: 30_000 });
  });

  await test('no Content-Security-Policy violation or page error on any of those pages', async () => {
    assert(violations.length === 0, violations.join('\n'));
  });
} finally {
  await browser.close();
  await server.stop();
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
