// Credentials at rest, on a real PostgreSQL: what lands in the connections row is ciphertext only, it comes
// back with the right key, and a wrong key fails loudly instead of handing a connector garbage.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnection, saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { DecryptionError } from './credentials';

let db: ScratchDb;
let customerId: string;
const key = randomBytes(32);
const token = `pat-na1-${randomBytes(12).toString('hex')}`;
const refreshToken = `rt_${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  db = await createScratchDb('pb_creds_at_rest');
  customerId = (await seedVendor(db.sql, 'atrest')).customerId;
  await saveConnection(db.sql, key, { customerId, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: 'https://api.hubapi.com', credentials: { token } });
  await saveConnection(db.sql, key, { customerId, system: 'salesforce', name: 'Salesforce', authKind: 'oauth2', baseUrl: 'https://acme.my.salesforce.com', credentials: { accessToken: token.toUpperCase(), refreshToken, clientSecret: 'cs-secret-value' } });
});

afterAll(async () => { await db?.drop(); });

describe('connections at rest', () => {
  it('stores no secret readable in the row: not in credentials_enc, not anywhere in the row', async () => {
    const rows = await db.sql<{ row: string; credentials_enc: string }[]>`select c::text as row, credentials_enc from connections c where customer_id = ${customerId}`;
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.credentials_enc).toMatch(/^v2\./);
      for (const secret of [token, token.toUpperCase(), refreshToken, 'cs-secret-value', Buffer.from(token).toString('base64')]) {
        expect(r.credentials_enc).not.toContain(secret);
        expect(r.row).not.toContain(secret);
      }
    }
    // The database as a whole: no text column of any row of any table holds the token.
    const [{ n }] = await db.sql<{ n: number }[]>`
      select (select count(*) from connections c where position(${token} in c::text) > 0)
           + (select count(*) from customers c where position(${token} in c::text) > 0)
           + (select count(*) from runs r where position(${token} in r::text) > 0) as n`;
    expect(Number(n)).toBe(0);
  });

  it('decrypts back with the right key', async () => {
    const hs = await loadConnection(db.sql, key, customerId, 'hubspot');
    expect(hs.credentials).toEqual({ token });
    const sf = await loadConnection(db.sql, key, customerId, 'salesforce');
    expect(sf.credentials).toMatchObject({ refreshToken, clientSecret: 'cs-secret-value' });
  });

  it('fails loudly with DecryptionError under a wrong key', async () => {
    const err = await loadConnection(db.sql, randomBytes(32), customerId, 'hubspot').catch((e) => e);
    expect(err).toBeInstanceOf(DecryptionError);
    expect(err.message).toMatch(/PATCHBAY_ENCRYPTION_KEY/);
  });

  it('re-encrypts refreshed tokens through the connection, still unreadable in the row', async () => {
    const sf = await loadConnection(db.sql, key, customerId, 'salesforce');
    const fresh = `at_${randomBytes(10).toString('hex')}`;
    await sf.saveCredentials({ ...sf.credentials, accessToken: fresh });
    const [row] = await db.sql<{ row: string }[]>`select c::text as row from connections c where customer_id = ${customerId} and system = 'salesforce'`;
    expect(row.row).not.toContain(fresh);
    expect((await loadConnection(db.sql, key, customerId, 'salesforce')).credentials.accessToken).toBe(fresh);
  });
});
