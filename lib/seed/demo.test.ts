import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePhone } from '@/engine';
import { HubspotStore } from '@/engine/connectors/hubspot/emulator/store';
import { lookupByPhone } from '../cdp/pg-cdp';
import { createScratchDb, type ScratchDb } from '../testing/scratch-db';
import { authenticateKey, forgetKeyCache, hashKey } from '../tenancy/api-keys';
import { demoContact, seedDemo } from './demo';

describe('demo contacts', () => {
  it('share no number with the HubSpot emulator\'s first 5,000 contacts', () => {
    const store = new HubspotStore({ contacts: 5000, companies: 0, users: 0, portalId: 1 });
    const emulator = new Set<string>();
    for (const r of store.tables.contacts.order) for (const p of ['hs_calculated_phone_number', 'hs_calculated_mobile_number']) if (r.props[p]) emulator.add(r.props[p]);
    expect(emulator.size).toBeGreaterThanOrEqual(5000);
    const shared: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const c = demoContact(i);
      for (const raw of c.phones) {
        const n = normalizePhone(raw, c.country ?? 'US');
        expect(n.valid, `${raw} is a valid number`).toBe(true);
        if (n.e164 && emulator.has(n.e164)) shared.push(`${c.externalId}: ${n.e164}`);
      }
    }
    expect(shared).toEqual([]);
  });
});

describe('seedDemo', () => {
  let db: ScratchDb;
  const dirs: string[] = [];
  const dataDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-demo-')); dirs.push(d); return d; };
  beforeAll(async () => {
    process.env.NEXTAUTH_SECRET ??= 'test-secret-for-portal-links';
    db = await createScratchDb('pb_demo_seed');
  });
  afterAll(async () => {
    await db?.drop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('promises in the banner only a name its sample number finds', async () => {
    const empty = await seedDemo(db.sql, { dataDir: dataDir(), contacts: 0, apiKey: 'pb_demo_empty_banner' });
    expect(empty.sampleName).toBeNull();

    const seeded = await seedDemo(db.sql, { dataDir: dataDir(), contacts: 20, apiKey: 'pb_demo_empty_banner' });
    expect(seeded.sampleName).toBe('Barbara Lovelace');
    const n = normalizePhone(seeded.samplePhone, 'US');
    expect(n.valid).toBe(true);
    const found = n.e164 ? await lookupByPhone(db.sql, seeded.customerId, n.e164) : null;
    expect(found?.displayName).toBe(seeded.sampleName);
  });

  it('never re-activates a demo key someone revoked', async () => {
    const dir = dataDir();
    const first = await seedDemo(db.sql, { dataDir: dir, contacts: 0 });
    expect(first.apiKeyRevoked).toBe(false);
    forgetKeyCache();
    expect(await authenticateKey(db.sql, first.apiKey)).not.toBeNull();
    await db.sql`update api_keys set revoked_at = now() where key_hash = ${hashKey(first.apiKey)} and revoked_at is null`;

    const again = await seedDemo(db.sql, { dataDir: dir, contacts: 0 });
    expect(again.apiKey).toBe(first.apiKey);
    expect(again.apiKeyRevoked).toBe(true);
    forgetKeyCache();
    expect(await authenticateKey(db.sql, first.apiKey)).toBeNull();
  });
});
