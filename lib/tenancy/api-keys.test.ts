import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { authenticateKey, createApiKey, forgetKeyCache, watchKeyChanges } from './api-keys';

describe('API key cache', () => {
  let db: ScratchDb;
  let other: ScratchDb['sql'];
  let vendorId: string;
  beforeAll(async () => {
    db = await createScratchDb('pb_api_keys');
    ({ vendorId } = await seedVendor(db.sql, 'keys'));
    const { connect } = await import('../db/client');
    other = connect(db.url, 1).sql; // "another process": its own connection
  });
  afterAll(async () => { await other?.end({ timeout: 2 }); await db?.drop(); });

  it('forgets a key revoked elsewhere as soon as the change is notified', async () => {
    const stop = await watchKeyChanges(db.sql);
    try {
      forgetKeyCache();
      const { id, key } = await createApiKey(db.sql, { vendorId, name: 'k' });
      expect(await authenticateKey(db.sql, key)).toMatchObject({ keyId: id, vendorId });
      await other`update api_keys set revoked_at = now() where id = ${id}`;
      let principal: unknown = 'cached';
      for (let i = 0; i < 50 && principal !== null; i++) { await new Promise((r) => setTimeout(r, 10)); principal = await authenticateKey(db.sql, key); }
      expect(principal).toBeNull();
    } finally { await stop(); }
  });

  it('does not cache without a live listener', async () => {
    const { id, key } = await createApiKey(db.sql, { vendorId, name: 'k2' });
    expect(await authenticateKey(db.sql, key)).not.toBeNull();
    await other`update api_keys set revoked_at = now() where id = ${id}`;
    expect(await authenticateKey(db.sql, key)).toBeNull();
  });
});
