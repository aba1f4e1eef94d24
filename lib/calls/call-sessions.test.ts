// Call sessions on a real PostgreSQL: events folded under the row lock, waits registered and taken by the event
// they wait for, records kept, and the staff list scoped to the vendor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { createCallSessionPort, readCallSession, recordCallEvent } from './call-sessions';
import { listCalls } from './list-calls';

let db: ScratchDb;
let a: { vendorId: string; customerId: string };
let b: { vendorId: string; customerId: string };
const base = { callId: 'c-1', direction: 'inbound' as const, from: '+14155550100', to: '+14155550199', startedAt: '2026-03-01T09:00:00Z' };

beforeAll(async () => {
  db = await createScratchDb('call_sessions');
  a = await seedVendor(db.sql, 'calls-a');
  b = await seedVendor(db.sql, 'calls-b');
});
afterAll(async () => { await db?.drop(); });

describe('call sessions in PostgreSQL', () => {
  it('folds events arriving at once, once each, and keeps tenants apart', async () => {
    const evs = [
      { ...base, event: 'call.ended' as const, durationSec: 40, status: 'completed' },
      { ...base, event: 'call.answered' as const },
      { ...base, event: 'call.ringing' as const },
    ];
    await Promise.all([...evs.map((e, i) => recordCallEvent(db.sql, a.customerId, e, `d${i}`, null)), recordCallEvent(db.sql, a.customerId, evs[0], 'd0', null)]);
    await recordCallEvent(db.sql, b.customerId, { ...base, event: 'call.missed' }, 'd0', null);
    const s = await readCallSession(db.sql, a.customerId, 'c-1');
    expect(s).toMatchObject({ state: 'ended', call: { status: 'answered', durationSec: 40 } });
    expect(s!.events.map((e) => e.deliveryId).sort()).toEqual(['d0', 'd1', 'd2']);
    expect((await readCallSession(db.sql, b.customerId, 'c-1'))!.state).toBe('missed');
  });

  it('a wait is registered unless already satisfied, and the event that satisfies it takes it', async () => {
    const run = '0190aaaa-0000-7000-8000-000000000001';
    const port = createCallSessionPort(db.sql, a.customerId, run);
    expect((await port.waitFor('c-1', 'ended', new Date(Date.now() + 60_000))).satisfied).toBe(true);
    const w = await port.waitFor('c-1', 'recording', new Date(Date.now() + 60_000));
    expect(w.satisfied).toBe(false);
    expect((await db.sql`select until from call_session_waits where run_id = ${run}`)[0].until).toBe('recording');
    const notes = await recordCallEvent(db.sql, a.customerId, { ...base, event: 'notes.updated', notes: 'n' }, 'd3', null);
    expect(notes.wake).toEqual([]);
    const rec = await recordCallEvent(db.sql, a.customerId, { ...base, event: 'recording.ready', recordingUrl: 'https://pbx/rec' }, 'd4', null);
    expect(rec.wake).toEqual([run]);
    expect(await db.sql`select 1 from call_session_waits where run_id = ${run}`).toHaveLength(0);
    // The same delivery again wakes nobody.
    expect((await recordCallEvent(db.sql, a.customerId, { ...base, event: 'recording.ready', recordingUrl: 'https://pbx/rec' }, 'd4', null)).wake).toEqual([]);
  });

  it('claims a record for one of several runs at once, and never over an existing one', async () => {
    const c = await seedVendor(db.sql, 'calls-c');
    const d = await seedVendor(db.sql, 'calls-d');
    const ports = ['0190aaaa-0000-7000-8000-00000000000a', '0190aaaa-0000-7000-8000-00000000000b', '0190aaaa-0000-7000-8000-00000000000c'].map((r) => createCallSessionPort(db.sql, c.customerId, r));
    const claims = await Promise.all(ports.map((p, i) => p.claimRecord!('c-claim', 'slack:card', { by: i })));
    const winners = claims.filter((c) => c.claimed);
    expect(winners).toHaveLength(1);
    for (const c of claims) expect(c.current).toEqual(winners[0].current);
    expect((await readCallSession(db.sql, c.customerId, 'c-claim'))!.records['slack:card']).toEqual(winners[0].current);
    // Another tenant's session with the same call id is its own.
    expect((await createCallSessionPort(db.sql, d.customerId, '0190aaaa-0000-7000-8000-00000000000d').claimRecord!('c-claim', 'slack:card', { by: 'd' })).claimed).toBe(true);
  });

  it('keeps records by role, and the staff list shows only the vendor\'s calls', async () => {
    const port = createCallSessionPort(db.sql, a.customerId, '0190aaaa-0000-7000-8000-000000000002');
    await port.saveRecord('c-1', 'log', { ref: { system: 'hubspot', type: 'call', id: '42', url: null } });
    await port.saveRecord('c-1', 'recording', { url: 'https://s3/x', size: 10 });
    const s = await readCallSession(db.sql, a.customerId, 'c-1');
    expect(s!.records).toMatchObject({ log: { ref: { id: '42' } }, recording: { size: 10 } });
    const listA = await listCalls(db.sql, a.vendorId);
    expect(listA.map((c) => [c.customer.externalId, c.callId, c.state])).toEqual([['calls-a-c1', 'c-1', 'ended']]);
    expect(listA[0].records.log).toBeTruthy();
    const listB = await listCalls(db.sql, b.vendorId, { customer: 'calls-b-c1' });
    expect(listB.map((c) => c.state)).toEqual(['missed']);
    expect(await listCalls(db.sql, b.vendorId, { customer: 'calls-a-c1' })).toEqual([]);
  });
});
