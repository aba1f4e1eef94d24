// End-to-end, in Chromium: an owner creates an API key on the API keys page (shown once, then only its prefix), the
// key runs caller_lookup; rotating it shows the new key and the old one is refused at once; revoking refuses the new
// one too; the Audit page lists those changes. Uses the shared signed-in staff page (the demo owner).
import { expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

const lookup = (base: string, key: string) => fetch(`${base}/api/v1/customers/demo/automations/caller_lookup`, {
  method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+1 415-704-0007' }),
}).then((r) => r.status);

const name = `e2e backend ${Date.now().toString(36)}`;
let first = '';

test('creates a key, shown once; the list shows its prefix only', async ({ staff, app }) => {
  await staff.getByTestId('nav-api-keys').click();
  await expect(staff.getByTestId('api-keys-page')).toBeVisible();
  await staff.getByTestId('key-name').fill(name);
  await staff.getByTestId('key-create').click();
  first = (await staff.getByTestId('new-key-value').textContent())!.trim();
  expect(first).toMatch(/^pb_/);
  const row = staff.getByTestId('key-row').filter({ hasText: name });
  await expect(row).toContainText(`${first.slice(0, 11)}…`);
  await expect(row).not.toContainText(first);
  expect(await lookup(app.base, first)).toBe(200);
});

test('rotates it: the new key works, the old one is refused at once', async ({ staff, app }) => {
  staff.once('dialog', (d) => void d.accept());
  await staff.getByTestId('key-row').filter({ hasText: name }).filter({ hasText: 'active' }).getByTestId('key-rotate').click();
  await expect(staff.getByTestId('new-key-value')).not.toHaveText(first);
  const second = (await staff.getByTestId('new-key-value').textContent())!.trim();
  await expect.poll(() => lookup(app.base, first)).toBe(401);
  expect(await lookup(app.base, second)).toBe(200);
  staff.once('dialog', (d) => void d.accept());
  await staff.getByTestId('key-row').filter({ hasText: name }).filter({ hasText: 'active' }).getByTestId('key-revoke').click();
  await expect.poll(() => lookup(app.base, second)).toBe(401);
  await expect(staff.getByTestId('key-row').filter({ hasText: name }).filter({ hasText: 'active' })).toHaveCount(0);
});

test('the Audit page lists who created, rotated and revoked it', async ({ staff }) => {
  await staff.getByTestId('nav-audit').click();
  await staff.getByTestId('audit-kind').selectOption('api_key');
  const rows = staff.getByTestId('audit-row').filter({ hasText: name });
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('api_key.revoke');
  await expect(rows.nth(1)).toContainText('api_key.rotate');
  await expect(rows.nth(2)).toContainText('api_key.create');
  await expect(rows.nth(2)).toContainText('admin@demo.patchbay.dev');
});
