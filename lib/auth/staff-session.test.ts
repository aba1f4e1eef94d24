// The staff session as the edge reads it: next-auth's own cookie (whole or in chunks), refused when signed out,
// expired, altered, or its user is gone; the role re-read from the database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { revokeSession, staffSessionId } from './session-revocations';
import { mintStaffSessionCookie, readStaffSession, sessionTokenFrom } from './staff-session';

let db: ScratchDb;
let v: Awaited<ReturnType<typeof seedVendor>>;
beforeAll(async () => {
  process.env.NEXTAUTH_SECRET ??= `test-${randomUUID()}`;
  db = await createScratchDb('pb_staff_session');
  v = await seedVendor(db.sql, 'sess', 'editor');
});
afterAll(async () => { await db?.drop(); });

const mint = (sid = randomUUID(), maxAge?: number) => mintStaffSessionCookie({ userId: v.userId, vendorId: v.vendorId, role: 'owner', email: 'x', name: 'x', sid }, maxAge);

describe('the staff session outside Next.js', () => {
  it('reads the signed-in member with the role from the database, not the token', async () => {
    expect(await readStaffSession(db.sql, await mint())).toMatchObject({ userId: v.userId, vendorId: v.vendorId, role: 'editor', email: 'editor@sess.test' });
  });

  it('joins a token next-auth split into chunks, among other cookies', async () => {
    const cookie = await mint();
    const [name, token] = cookie.split('=');
    const header = `a=1; ${name}.1=${token.slice(100)}; other=x; ${name}.0=${token.slice(0, 100)}`;
    expect(sessionTokenFrom(header)).toBe(token);
    expect(await readStaffSession(db.sql, header)).toMatchObject({ userId: v.userId });
  });

  it('refuses no cookie, an altered token, an expired one, a signed-out one and a removed user', async () => {
    expect(await readStaffSession(db.sql, undefined)).toBeNull();
    const cookie = await mint();
    expect(await readStaffSession(db.sql, `${cookie.slice(0, -3)}${cookie.endsWith('AAA') ? 'BBB' : 'AAA'}`)).toBeNull();
    expect(await readStaffSession(db.sql, await mint(randomUUID(), -60))).toBeNull();
    const sid = randomUUID();
    const signedOut = await mint(sid);
    expect(await readStaffSession(db.sql, signedOut)).not.toBeNull();
    await revokeSession(db.sql, staffSessionId(sid), new Date(Date.now() + 3_600_000));
    expect(await readStaffSession(db.sql, signedOut)).toBeNull();
    const live = await mint();
    await db.sql`delete from staff_users where id = ${v.userId}`;
    expect(await readStaffSession(db.sql, live)).toBeNull();
  });
});
