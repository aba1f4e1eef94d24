// Which contact a lookup answers when several contacts of one customer share a number (CALLER_MATCH_RULE): persons
// first, then the most recently updated in its source (else last written here), then source, then external id —
// the same answer every time, in the one lookup query, with the count of matches; the in-memory CDP agrees.
// (engine/blocks/cdp-lookup/block.test.ts: the step shows the count and the rule.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdpPort, UnifiedContact } from '@/engine';
import { createMemoryCdp } from '@/engine/testing/memory-cdp';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { createPgCdp, deleteContacts } from './pg-cdp';

let db: ScratchDb;
let customerId = '';
let otherCustomerId = '';
const phone = '+14155550177';

beforeAll(async () => {
  db = await createScratchDb('pgcdp');
  customerId = (await seedVendor(db.sql, 'pgcdp')).customerId;
  otherCustomerId = (await seedVendor(db.sql, 'pgcdp-other')).customerId;
});
afterAll(async () => { await db?.drop(); });

const person = (source: string, externalId: string, updatedAt: string | null, kind: 'person' | 'company' = 'person'): UnifiedContact => ({
  source, externalId, kind, firstName: `${source}-${externalId}`, phones: ['(415) 555-0177'], custom: {}, ...(updatedAt ? { updatedAt } : {}),
});

/** Runs the same scenario on a CDP port, returning who answered after each step. */
async function scenario(cdp: CdpPort, writeOther?: () => Promise<void>) {
  const seen: { who: string | null; matches: number | undefined }[] = [];
  const look = async () => { const h = await cdp.lookupByPhone(phone); seen.push({ who: h ? `${h.source}/${h.externalId}` : null, matches: h?.matches }); };
  // A company with the number, updated last: a person still wins.
  await cdp.upsert([person('hubspot', 'co-1', '2026-03-01T00:00:00Z', 'company')]);
  await look();
  await cdp.upsert([person('demo-crm', '100', '2026-01-01T00:00:00Z')]);
  await look();
  // A more recently updated person from another source wins.
  await cdp.upsert([person('hubspot', '7', '2026-02-01T00:00:00Z')]);
  await look();
  // Same update time: the source name decides (demo-crm < hubspot), then the external id.
  await cdp.upsert([person('demo-crm', '200', '2026-02-01T00:00:00Z'), person('demo-crm', '150', '2026-02-01T00:00:00Z')]);
  await look();
  await writeOther?.();
  await cdp.delete('demo-crm', ['150', '200']);
  await look();
  return seen;
}

const expected = [
  { who: 'hubspot/co-1', matches: 1 },
  { who: 'demo-crm/100', matches: 2 },
  { who: 'hubspot/7', matches: 3 },
  { who: 'demo-crm/150', matches: 5 },
  { who: 'hubspot/7', matches: 3 },
];

describe('two contacts of one customer share a number', () => {
  it('the Postgres CDP answers by CALLER_MATCH_RULE, counting the matches of this customer only', async () => {
    const cdp = createPgCdp(db.sql, { id: customerId, defaultCountry: 'US' });
    const other = createPgCdp(db.sql, { id: otherCustomerId, defaultCountry: 'US' });
    // Another customer's contacts with the same number count for nothing here.
    expect(await scenario(cdp, async () => { await other.upsert([person('zzz', '1', '2030-01-01T00:00:00Z'), person('aaa', '1', null)]); })).toEqual(expected);
  });

  it('a contact whose source gave no update time counts from when Patchbay wrote it', async () => {
    const cdp = createPgCdp(db.sql, { id: otherCustomerId, defaultCountry: 'US' });
    await deleteContacts(db.sql, otherCustomerId, 'zzz', ['1']);
    // aaa/1 has no source time: written now, it is newer than a person updated in 2026-01 at its source.
    await cdp.upsert([person('old', '1', '2026-01-01T00:00:00Z')]);
    expect(await cdp.lookupByPhone(phone)).toMatchObject({ source: 'aaa', externalId: '1', matches: 2 });
  });

  it('the in-memory CDP (engine tests, CLI) answers the same', async () => {
    expect(await scenario(createMemoryCdp('US'))).toEqual(expected);
  });
});
