// What the Syncs page's "Start a sync" form offers: every CRM that can feed a sync (not S3 or the phone system),
// each with the vendor's customers that connected it — and never another vendor's.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { listSyncSources } from './list-syncs';

const key = randomBytes(32);
let db: ScratchDb;

beforeAll(async () => { db = await createScratchDb('syncsources'); });
afterAll(async () => { await db?.drop(); });

describe('listSyncSources', () => {
  it('lists the CRMs with their connected customers, this vendor only', async () => {
    const a = await seedVendor(db.sql, 'srca');
    const b = await seedVendor(db.sql, 'srcb');
    await saveConnection(db.sql, key, { customerId: a.customerId, system: 'zoho', name: 'Zoho', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:1', credentials: { token: 't' } });
    await saveConnection(db.sql, key, { customerId: a.customerId, system: 's3', name: 'S3', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await saveConnection(db.sql, key, { customerId: b.customerId, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:1', credentials: { token: 't' } });
    const sources = await listSyncSources(db.sql, a.vendorId);
    expect(sources.map((s) => s.id).sort()).toEqual(['activecampaign', 'copper', 'dynamics', 'hubspot', 'intercom', 'keap', 'pipedrive', 'salesforce', 'sugarcrm', 'zendesk', 'zoho']);
    expect(sources.find((s) => s.id === 'zoho')).toEqual({ id: 'zoho', name: 'Zoho CRM', connectedCustomers: ['srca-c1'] });
    // Vendor B's HubSpot customer is not vendor A's business.
    expect(sources.find((s) => s.id === 'hubspot')!.connectedCustomers).toEqual([]);
    expect((await listSyncSources(db.sql, b.vendorId)).find((s) => s.id === 'hubspot')!.connectedCustomers).toEqual(['srcb-c1']);
  });
});
