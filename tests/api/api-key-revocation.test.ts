// A revoked API key stops working at once, though the server caches keys (the cache is emptied by a NOTIFY from
// a trigger on api_keys, however the key was revoked: here by hand in SQL, as another process would).
import { describe, expect, it } from 'vitest';
import { api, db } from './helpers';
import { createApiKey } from '@/lib/tenancy/api-keys';

describe('API key revocation', () => {
  it('a revoked key is refused at once, though the server had it cached', async () => {
    const [v] = await db()`select id from vendors where slug = 'demo'`;
    const { id, key } = await createApiKey(db(), { vendorId: v.id, name: 'to be revoked' });
    const lookup = () => api('/api/v1/customers/demo/automations/caller_lookup', { body: { phone: '+1 202 555 0100' }, key });
    for (let i = 0; i < 3; i++) expect((await lookup()).status).toBe(200); // now in the server's key cache

    await db()`update api_keys set revoked_at = now() where id = ${id}`;
    // The notification travels at commit; give it the few milliseconds a message needs on loopback.
    await new Promise((r) => setTimeout(r, 50));
    const after = await lookup();
    expect(after.status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await lookup()).status).toBe(401);

    // Creating the same key again does not bring it back.
    await createApiKey(db(), { vendorId: v.id, name: 'again', key });
    await new Promise((r) => setTimeout(r, 50));
    expect((await lookup()).status).toBe(401);
  });
});
