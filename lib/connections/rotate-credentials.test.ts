// The rotation pass on a real PostgreSQL: rows under the previous key (or the older v1 format) move to the current
// key, a token refresh written during the pass is kept (never overwritten by what the pass read before it), a row
// that neither key opens is left as it is and reported, and a second pass has nothing left to do.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptJson, encryptJson, keyId, keyring, payloadKeyId } from '../crypto/credentials';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { rotateCredentials } from './rotate-credentials';

let db: ScratchDb;
let customerId: string;
const old = randomBytes(32), next = randomBytes(32), stranger = randomBytes(32);

beforeAll(async () => {
  db = await createScratchDb('pb_rotate');
  customerId = (await seedVendor(db.sql, 'rotate')).customerId;
});
afterAll(async () => { await db?.drop(); });

const insert = (system: string, enc: string) =>
  db.sql`insert into connections (customer_id, system, name, auth_kind, base_url, credentials_enc) values (${customerId}, ${system}, ${system}, 'apiKey', 'http://x', ${enc})`;
const rows = () => db.sql<{ system: string; credentials_enc: string }[]>`select system, credentials_enc from connections where customer_id = ${customerId} order by system`;

describe('rotateCredentials', () => {
  it('moves every readable row to the current key, keeps concurrent writes, reports the unreadable, and resumes', async () => {
    const systems = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    for (const s of systems) await insert(s, encryptJson(old, { token: `t-${s}` }));
    await insert('already', encryptJson(next, { token: 't-already' }));
    await insert('lost', encryptJson(stranger, { token: 't-lost' }));
    const before = new Map((await rows()).map((r) => [r.system, r.credentials_enc]));

    let refreshed: string | null = null;
    const result = await rotateCredentials(db.sql, keyring(next, old), async () => {
      if (refreshed) return;
      // A process still on the old key refreshes a token of a row the pass has read but not yet written.
      const [victim] = await db.sql<{ system: string }[]>`select system from connections where customer_id = ${customerId} and system like 'a%' and credentials_enc not like ${`v2.${keyId(next)}.%`} limit 1`;
      refreshed = victim.system;
      await db.sql`update connections set credentials_enc = ${encryptJson(old, { token: 'refreshed' })} where customer_id = ${customerId} and system = ${victim.system}`;
    });
    expect(result.total).toBe(7);
    expect(result.rotated).toBe(6);
    expect(result.unreadable).toHaveLength(1);
    expect(result.remaining).toBe(1);
    for (const r of await rows()) {
      if (r.system === 'lost') { expect(r.credentials_enc).toBe(before.get('lost')); continue; }
      expect(payloadKeyId(r.credentials_enc)).toBe(keyId(next));
      expect(decryptJson(next, r.credentials_enc)).toEqual({ token: r.system === refreshed ? 'refreshed' : `t-${r.system}` });
      expect(() => decryptJson(old, r.credentials_enc)).toThrow(/cannot be decrypted/);
    }
    expect((await rows()).find((r) => r.system === 'already')!.credentials_enc).toBe(before.get('already'));

    const again = await rotateCredentials(db.sql, keyring(next, old));
    expect(again).toMatchObject({ total: 1, rotated: 0, remaining: 1 });
    expect(again.unreadable).toHaveLength(1);
  });
});
