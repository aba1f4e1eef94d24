import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { listAudit, operatorActor, recordAudit, staffActor } from './record-audit';

let db: ScratchDb;
let a: Awaited<ReturnType<typeof seedVendor>>;
let b: Awaited<ReturnType<typeof seedVendor>>;

beforeAll(async () => {
  db = await createScratchDb('pb_audit_test');
  a = await seedVendor(db.sql, 'audit-a');
  b = await seedVendor(db.sql, 'audit-b');
});
afterAll(async () => { await db?.drop(); });

describe('the audit log', () => {
  it('records entries per vendor, newest first, paged back by id, filtered by kind and customer', async () => {
    const actor = staffActor({ userId: a.userId, email: 'owner@audit-a.test' });
    for (let i = 1; i <= 5; i++) {
      await recordAudit(db.sql, { vendorId: a.vendorId, customerId: i % 2 ? a.customerId : null, actor, action: 'flow.publish', target: { kind: 'flow', id: `f${i}`, label: `Flow ${i}` }, details: { version: i } });
    }
    await recordAudit(db.sql, { vendorId: a.vendorId, actor: operatorActor(), action: 'api_key.create', target: { kind: 'api_key', id: 'k1' } });
    await recordAudit(db.sql, { vendorId: b.vendorId, actor: operatorActor(), action: 'vendor.create', target: { kind: 'vendor', id: b.vendorId } });

    const first = await listAudit(db.sql, a.vendorId, { limit: 4 });
    expect(first.entries.map((e) => e.target.id)).toEqual(['k1', 'f5', 'f4', 'f3']);
    expect(first.entries[1]).toMatchObject({ action: 'flow.publish', actor: { kind: 'staff', id: a.userId, label: 'owner@audit-a.test' }, customer: 'audit-a-c1', details: { version: 5 } });
    const second = await listAudit(db.sql, a.vendorId, { limit: 4, before: first.nextBefore! });
    expect(second.entries.map((e) => e.target.id)).toEqual(['f2', 'f1']);
    expect(second.nextBefore).toBeNull();
    expect((await listAudit(db.sql, a.vendorId, { targetKind: 'api_key' })).entries.map((e) => e.action)).toEqual(['api_key.create']);
    expect((await listAudit(db.sql, a.vendorId, { customerId: a.customerId })).entries.map((e) => e.target.id)).toEqual(['f5', 'f3', 'f1']);
    expect((await listAudit(db.sql, b.vendorId)).entries.map((e) => e.action)).toEqual(['vendor.create']);
  });

  it('commits or rolls back with the change when written in its transaction', async () => {
    await db.sql.begin(async (tx) => {
      await recordAudit(tx, { vendorId: b.vendorId, actor: operatorActor(), action: 'flow.delete', target: { kind: 'flow', id: 'kept' } });
    });
    await db.sql.begin(async (tx) => {
      await recordAudit(tx, { vendorId: b.vendorId, actor: operatorActor(), action: 'flow.delete', target: { kind: 'flow', id: 'rolled-back' } });
      throw new Error('the change failed');
    }).catch(() => {});
    const ids = (await listAudit(db.sql, b.vendorId, { targetKind: 'flow' })).entries.map((e) => e.target.id);
    expect(ids).toEqual(['kept']);
  });

  it('refuses an action that is not <kind>.<verb>', async () => {
    await expect(recordAudit(db.sql, { vendorId: a.vendorId, actor: operatorActor(), action: 'Published!', target: { kind: 'flow' } })).rejects.toThrow(/flow\.publish/);
  });
});
