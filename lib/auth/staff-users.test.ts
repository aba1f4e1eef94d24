import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { canWrite, hasRole } from './roles';
import { createStaffUser, getStaffMe, loadStaffPrincipal, verifyStaffCredentials } from './staff-users';

let db: ScratchDb;
let a: Awaited<ReturnType<typeof seedVendor>>;

beforeAll(async () => {
  db = await createScratchDb('pb_auth_test');
  a = await seedVendor(db.sql, 'alpha', 'editor');
});
afterAll(async () => { await db?.drop(); });

describe('staff sign-in', () => {
  it('accepts the right password (email in any case) and refuses a wrong one or an unknown email', async () => {
    const p = await verifyStaffCredentials(db.sql, ' Editor@Alpha.TEST ', 'secret-password');
    expect(p).toEqual({ userId: a.userId, vendorId: a.vendorId, role: 'editor', email: 'editor@alpha.test', name: 'editor of alpha' });
    expect(await verifyStaffCredentials(db.sql, 'editor@alpha.test', 'secret-passworD')).toBeNull();
    expect(await verifyStaffCredentials(db.sql, 'nobody@alpha.test', 'secret-password')).toBeNull();
  });

  it('re-reads the principal, so a role change or removal applies to the next request', async () => {
    const id = await createStaffUser(db.sql, { vendorId: a.vendorId, email: 'Viewer@Alpha.test', name: 'V', password: 'pw-12345678', role: 'viewer' });
    expect((await verifyStaffCredentials(db.sql, 'viewer@alpha.test', 'pw-12345678'))?.role).toBe('viewer');
    await db.sql`update staff_users set role = 'owner' where id = ${id}`;
    expect((await loadStaffPrincipal(db.sql, id))?.role).toBe('owner');
    await db.sql`delete from staff_users where id = ${id}`;
    expect(await loadStaffPrincipal(db.sql, id)).toBeNull();
    expect(await loadStaffPrincipal(db.sql, 'not-a-uuid')).toBeNull();
  });

  it('describes the signed-in user with the vendor', async () => {
    const p = (await loadStaffPrincipal(db.sql, a.userId))!;
    expect(await getStaffMe(db.sql, p)).toEqual({ id: a.userId, email: 'editor@alpha.test', name: 'editor of alpha', role: 'editor', vendor: { id: a.vendorId, name: 'Vendor alpha', slug: 'alpha' } });
  });
});

describe('roles', () => {
  it('lets owners and editors write, not viewers', () => {
    expect([canWrite('owner'), canWrite('editor'), canWrite('viewer')]).toEqual([true, true, false]);
    expect(hasRole('owner', 'editor')).toBe(true);
    expect(hasRole('viewer', 'editor')).toBe(false);
  });
});
