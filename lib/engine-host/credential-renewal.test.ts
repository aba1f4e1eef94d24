// Token renewal across processes: two handles loaded separately for one Keap connection (as two processes or two
// runs would, each with its own database pool) find the access token expired or refused at the same moment. Keap
// rotates refresh tokens, so a second renewal with the same refresh token is refused; one renewal must serve both,
// and what is stored must be the newest tokens.
import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '@/engine';
import { buildAuthorizeUrl, exchangeCode } from '@/engine/connectors/kit/oauth2';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';
import { keapConnector } from '@/engine/connectors/keap/manifest';
import { connect } from '../db/client';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { loadConnection, saveConnection } from './connections';

const OAUTH = { clientId: 'keap-client', clientSecret: 'keap-secret' };
const crm = keapConnector.crm;

describe('renewing a rotating OAuth token from two processes', () => {
  let db: ScratchDb;
  let other: { sql: postgres.Sql };
  let emu: KeapEmulator;
  let customerId: string;
  const key = randomBytes(32);
  /** Refresh-token grants the token endpoint answered, and the refresh tokens it handed out (newest last). */
  let refreshes: { status: number; refreshToken?: string }[] = [];
  const spy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input) === `${emu.url}/token` && String(init?.body ?? '').includes('grant_type=refresh_token')) {
      const body = (await res.clone().json()) as { refresh_token?: string };
      refreshes.push({ status: res.status, refreshToken: body.refresh_token });
    }
    return res;
  };
  const call = (conn: ConnectionHandle) => ({ fetch: spy, conn, requestLog: [], http: { backoffMs: 5 } });

  beforeAll(async () => {
    db = await createScratchDb('renew');
    other = connect(db.url, 4);
    ({ customerId } = await seedVendor(db.sql, 'renew'));
    emu = await startKeapEmulator({ contacts: 12, users: 2, token: 'KeapAK-unused', oauth: OAUTH, accessTokenTtlSec: 86_400 });
  });
  afterAll(async () => { await emu?.close(); await other?.sql.end({ timeout: 5 }); await db?.drop(); });

  /** A fresh Keap OAuth connection (authorization code exchanged at the emulator) stored with the given expiry. */
  async function connectKeap(expiresAt: number) {
    const redirectUri = 'http://127.0.0.1:3000/api/portal/oauth/callback';
    const res = await fetch(buildAuthorizeUrl(`${emu.url}/app/oauth/authorize`, { clientId: OAUTH.clientId, redirectUri, state: 's', scopes: ['full'] }), { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const t = await exchangeCode(fetch, { tokenUrl: `${emu.url}/token`, ...OAUTH }, code, redirectUri);
    await saveConnection(db.sql, key, {
      customerId, system: 'keap', name: 'Keap', authKind: 'oauth2', baseUrl: emu.url,
      credentials: { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt, ...OAUTH },
    });
    refreshes = [];
    return t;
  }
  const stored = async () => (await loadConnection(db.sql, key, customerId, 'keap')).credentials;

  it('renews an expired token once for two handles calling at the same moment, stores the newest tokens, and a third handle uses them', async () => {
    const first = await connectKeap(Date.now() - 1000);
    const a = await loadConnection(db.sql, key, customerId, 'keap');
    const b = await loadConnection(other.sql, key, customerId, 'keap');
    const [ra, rb] = await Promise.allSettled([crm.getContact(call(a), { id: '101' }), crm.getContact(call(b), { id: '102' })]);
    expect(ra).toMatchObject({ status: 'fulfilled', value: { id: '101' } });
    expect(rb).toMatchObject({ status: 'fulfilled', value: { id: '102' } });
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].status).toBe(200);
    const now = await stored();
    expect(now.refreshToken).toBe(refreshes[0].refreshToken);
    expect(now.refreshToken).not.toBe(first.refreshToken);
    expect(now.accessToken).not.toBe(first.accessToken);
    expect(now.expiresAt as number).toBeGreaterThan(Date.now() + 86_000_000);
    // Both handles hold the stored tokens now (one renewed them, the other adopted them).
    expect(a.credentials).toMatchObject({ accessToken: now.accessToken, refreshToken: now.refreshToken });
    expect(b.credentials).toMatchObject({ accessToken: now.accessToken, refreshToken: now.refreshToken });

    const c = await loadConnection(other.sql, key, customerId, 'keap');
    expect((await crm.getContact(call(c), { id: '103' }))?.id).toBe('103');
    expect(refreshes).toHaveLength(1);
  });

  it('renews once for 20 concurrent requests on two handles', async () => {
    await connectKeap(Date.now() - 1000);
    const a = await loadConnection(db.sql, key, customerId, 'keap');
    const b = await loadConnection(other.sql, key, customerId, 'keap');
    const ids = Array.from({ length: 20 }, (_, i) => String(101 + (i % 10)));
    const results = await Promise.allSettled(ids.map((id, i) => crm.getContact(call(i % 2 ? b : a), { id })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.map((r) => (r as PromiseFulfilledResult<{ id: string } | null>).value?.id)).toEqual(ids);
    expect(refreshes).toHaveLength(1);
    expect((await stored()).refreshToken).toBe(refreshes[0].refreshToken);
  });

  it('on a 401 at the same moment, one handle renews and the other takes the stored token instead of renewing again', async () => {
    // Stored as valid for an hour, but Keap no longer accepts it: both handles learn it from a 401.
    await connectKeap(Date.now() + 3_600_000);
    const a = await loadConnection(db.sql, key, customerId, 'keap');
    const b = await loadConnection(other.sql, key, customerId, 'keap');
    emu.expireAccessTokens();
    const results = await Promise.allSettled([crm.getContact(call(a), { id: '101' }), crm.getContact(call(b), { id: '102' }), crm.getContact(call(a), { id: '103' })]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(refreshes).toHaveLength(1);
    const now = await stored();
    expect(now.refreshToken).toBe(refreshes[0].refreshToken);
    expect(b.credentials.accessToken).toBe(now.accessToken);
  });

  it('a reconnect while a renewal is in flight waits for it, and the reconnected credentials are what stays', async () => {
    await connectKeap(Date.now() - 1000);
    const h = await loadConnection(other.sql, key, customerId, 'keap');
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let renewing = false;
    // A renewal whose token request is slow (held by the gate), on the credentials as they were.
    const renewal = h.renewCredentials!(async (latest) => { renewing = true; await gate; return { ...latest, accessToken: 'renewed-from-the-old-grant' }; });
    while (!renewing) await new Promise((r) => setTimeout(r, 10));
    // The customer reconnects meanwhile (another grant, other tokens).
    let saved = false;
    const reconnect = saveConnection(db.sql, key, {
      customerId, system: 'keap', name: 'Keap', authKind: 'oauth2', baseUrl: emu.url, credentials: { accessToken: 'reconnected', refreshToken: 'reconnected-refresh', ...OAUTH },
    }).then(() => { saved = true; });
    await new Promise((r) => setTimeout(r, 200));
    expect(saved).toBe(false); // it waits for the renewal's lock
    release();
    await Promise.all([renewal, reconnect]);
    expect(await stored()).toMatchObject({ accessToken: 'reconnected', refreshToken: 'reconnected-refresh' });
  });
});
