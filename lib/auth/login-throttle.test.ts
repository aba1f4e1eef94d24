// Staff sign-in through next-auth's own authorize / jwt / session / signOut hooks on a real database:
// throttling by source address and account shared by processes (two separate connection pools), without
// locking the real user out, and sign-out revoking the session server-side at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWT } from 'next-auth/jwt';
import { connect, closeDb } from '../db/client';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { CLIENT_ADDRESS_HEADER } from '../api/request-guard';
import { authOptions } from './auth-options';
import { ADDRESS_LIMIT, checkLogin, noteLoginResult, PAIR_LIMIT } from './login-throttle';

let db: ScratchDb;
let staff: Awaited<ReturnType<typeof seedVendor>>;

beforeAll(async () => {
  db = await createScratchDb('pb_login_throttle_test');
  process.env.DATABASE_URL = db.url;
  staff = await seedVendor(db.sql, 'gamma', 'owner');
});
afterAll(async () => { await closeDb(); await db?.drop(); });

type Authorize = (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<{ id: string } | null>;
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;
const signIn = (email: string, password: string, address: string) => authorize({ email, password }, { headers: { [CLIENT_ADDRESS_HEADER]: address } });
const owner = 'owner@gamma.test';

describe('login throttle (PostgreSQL, per address and per account)', () => {
  it('blocks one address guessing one account, while the real user signs in from another address', async () => {
    for (let i = 0; i < PAIR_LIMIT; i++) expect(await signIn(owner, 'wrong', '203.0.113.7')).toBeNull();
    await expect(signIn(owner, 'secret-password', '203.0.113.7')).rejects.toThrow(/Too many failed sign-ins for this email from your network/);
    // The attacker keeps going: still refused, and the real user is not locked out.
    for (let i = 0; i < 10; i++) await expect(signIn(owner, 'wrong', '203.0.113.7')).rejects.toThrow(/Too many/);
    expect((await signIn(owner, 'secret-password', '198.51.100.20'))?.id).toBe(staff.userId);
  });

  it('slows a sprayer (one password, many accounts, one address) and shares the count across processes', async () => {
    const other = connect(db.url, 2).sql; // a second web process, its own pool
    try {
      const sprayer = '192.0.2.99';
      for (let i = 0; i < ADDRESS_LIMIT; i++) {
        const sql = i % 2 ? other : db.sql;
        expect((await checkLogin(sql, `user${i}@victims.test`, sprayer)).allowed).toBe(true);
        await noteLoginResult(sql, `user${i}@victims.test`, sprayer, false);
      }
      const gate = await checkLogin(other, 'fresh@victims.test', sprayer);
      expect(gate).toMatchObject({ allowed: false, reason: expect.stringMatching(/from your network/) });
      expect((gate as { retryAfterSec: number }).retryAfterSec).toBeGreaterThan(60);
      await expect(signIn(owner, 'secret-password', sprayer)).rejects.toThrow(/from your network/);
      // Another address is unaffected.
      expect(await checkLogin(db.sql, 'fresh@victims.test', '192.0.2.100')).toEqual({ allowed: true, delayMs: 0 });
    } finally {
      await other.end({ timeout: 2 });
    }
  });

  it('slows (never blocks) an account guessed from many addresses', async () => {
    const target = 'target@victims.test';
    for (let i = 0; i < 12; i++) await noteLoginResult(db.sql, target, `10.9.0.${i}`, false);
    expect(await checkLogin(db.sql, target, '10.9.1.1')).toEqual({ allowed: true, delayMs: 1000 });
  });
});

describe('staff session revocation', () => {
  it('a signed-out session stops working at once, even a copy of its token', async () => {
    const user = await signIn(owner, 'secret-password', '198.51.100.21');
    const token = (await authOptions.callbacks!.jwt!({ token: { email: owner }, user: user as never, account: null, trigger: 'signIn' } as never)) as JWT;
    expect(token.sid).toMatch(/^[0-9a-f-]{36}$/);
    const session = (t: JWT) => authOptions.callbacks!.session!({ session: { expires: '' } as never, token: t, user: undefined as never, newSession: undefined, trigger: 'update' } as never) as unknown as Promise<{ user: { id: string } }>;
    expect((await session(token)).user.id).toBe(staff.userId);
    const copy = { ...token, exp: Math.floor(Date.now() / 1000) + 3600 };
    await authOptions.events!.signOut!({ token: copy, session: undefined as never });
    expect((await session(token)).user.id).toBe('');
    expect((await session(copy)).user.id).toBe('');
    // A token without a session id (from before revocation existed) is no session either.
    expect((await session({ uid: staff.userId })).user.id).toBe('');
  });
});
