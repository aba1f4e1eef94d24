// The lookup cache stays coherent with PostgreSQL: every committed change to a customer's contacts (upsert, soft
// delete, hard delete, by Patchbay or by hand) is seen by the next lookup once its notification arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { createPgCdp, deleteContacts, upsertContacts } from './pg-cdp';
import { LIVE_MS, PhoneCache, watchCdpChanges } from './phone-cache';

let db: ScratchDb;
let customerId: string;
let otherCustomerId: string;
const cache = new PhoneCache();
let stop: () => Promise<void>;

beforeAll(async () => {
  db = await createScratchDb('patchbay_phone_cache');
  ({ customerId } = await seedVendor(db.sql, 'cache'));
  ({ customerId: otherCustomerId } = await seedVendor(db.sql, 'cache2'));
  stop = await watchCdpChanges(db.sql, cache);
});
afterAll(async () => { await stop?.(); await db?.drop(); });

/**
 * Runs a write through Patchbay and waits for both of its forgettings: the local one (at once, +1) and the one its
 * commit's notification brings (+1). Waiting for "moved at all" was satisfied by the local one alone, and a late
 * notification then emptied the cache under the next check (seen with two test files at a time).
 */
const written = async (customer: string, write: () => Promise<unknown>) => {
  // The generation before the write: its notification may arrive before write() returns.
  const g = cache.generationOf(customer);
  await write();
  await until(() => cache.generationOf(customer) >= g + 2);
};

/** Looks the number up until the answer comes from the cache (the write's own notification has arrived by then). */
const cachedAnswer = async (cdp: ReturnType<typeof createPgCdp>, e164: string) => {
  let out: unknown;
  await until(async () => { await cdp.lookupByPhone(e164); const h = cache.hits; out = await cdp.lookupByPhone(e164); return cache.hits === h + 1; });
  return out as { firstName?: string } | null;
};

const until = async (cond: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 1200; i++) { if (await cond()) return; await new Promise((r) => setTimeout(r, 25)); }
  throw new Error('condition not met in 30 s');
};

describe('PhoneCache', () => {
  it('answers repeated lookups from memory, and forgets a customer at each committed change', async () => {
    const cdp = createPgCdp(db.sql, { id: customerId, defaultCountry: 'US' }, undefined, cache);
    await until(() => cache.live());
    await written(customerId, () => upsertContacts(db.sql, customerId, 'US', [{ source: 'hubspot', externalId: 'a', kind: 'person', custom: {}, firstName: 'Ada', phones: ['+1 415 555 2671'] }]));
    expect((await cachedAnswer(cdp, '+14155552671'))?.firstName).toBe('Ada');
    // Nobody is an answer too, and it is forgotten when someone gets the number.
    expect(await cachedAnswer(cdp, '+14155552672')).toBeNull();
    await upsertContacts(db.sql, customerId, 'US', [{ source: 'hubspot', externalId: 'b', kind: 'person', custom: {}, firstName: 'Bea', phones: ['+1 415 555 2672'] }]);
    await until(async () => (await cdp.lookupByPhone('+14155552672'))?.firstName === 'Bea');
    // A soft delete (the CDP's delete) and a change by hand are seen the same way.
    await deleteContacts(db.sql, customerId, 'hubspot', ['a']);
    await until(async () => (await cdp.lookupByPhone('+14155552671')) === null);
    await db.sql`update cdp_contacts set first_name = 'Beatrix' where customer_id = ${customerId} and external_id = 'b'`;
    await until(async () => (await cdp.lookupByPhone('+14155552672'))?.firstName === 'Beatrix');
    await db.sql`delete from cdp_contacts where customer_id = ${customerId} and external_id = 'b'`;
    await until(async () => (await cdp.lookupByPhone('+14155552672')) === null);
  });

  it('a change to one customer leaves the other customers cached', async () => {
    const other = createPgCdp(db.sql, { id: otherCustomerId, defaultCountry: 'US' }, undefined, cache);
    await written(otherCustomerId, () => upsertContacts(db.sql, otherCustomerId, 'US', [{ source: 'hubspot', externalId: 'o', kind: 'person', custom: {}, firstName: 'Otto', phones: ['+1 415 555 2680'] }]));
    expect((await cachedAnswer(other, '+14155552680'))?.firstName).toBe('Otto');
    // A change by hand to the first customer (no local forgetting): wait for its notification.
    const g = cache.generationOf(customerId);
    await db.sql`insert into cdp_contacts (customer_id, source, external_id, content_hash) values (${customerId}, 'by-hand', 'cy', 'x')`;
    await until(() => cache.generationOf(customerId) > g);
    const hits = cache.hits;
    await other.lookupByPhone('+14155552680');
    expect(cache.hits).toBe(hits + 1);
  });

  it('keeps no answer of a lookup that raced a change, and answers nothing while its listener is silent', async () => {
    const c = new PhoneCache();
    c.heard();
    const g = c.generationOf('x');
    c.invalidate('x'); // the change's notification came while the lookup's query ran
    c.set('x', '+1', null, g);
    expect(c.get('x', '+1')).toBeUndefined();
    c.set('x', '+1', null, c.generationOf('x'));
    expect(c.get('x', '+1')).toBeNull();
    c.heard(Date.now() - LIVE_MS - 1);
    expect(c.get('x', '+1')).toBeUndefined();
    // A cached contact is shared by every run that finds it: frozen.
    c.heard();
    c.set('x', '+2', { firstName: 'F', phones: ['+2'], custom: { a: 1 } } as never, c.generationOf('x'));
    expect(Object.isFrozen((c.get('x', '+2') as { custom: object }).custom)).toBe(true);
  });
});
