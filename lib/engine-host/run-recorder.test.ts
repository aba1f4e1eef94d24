import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, dropScratchDatabase } from '@/tests/api/server-process';
import { runMigrations } from '../db/migrate';
import { readRun } from '../runs/read-run';
import { RunRecorder, type RunRecord } from './run-recorder';

let url = '';
let sql: postgres.Sql;
let vendorId = '';

beforeAll(async () => {
  url = await createScratchDatabase('patchbay_rec');
  await runMigrations(url);
  sql = postgres(url, { max: 2, onnotice: () => {} });
  [{ id: vendorId }] = await sql`insert into vendors (slug, name) values ('v', 'V') returning id`;
});
afterAll(async () => { await sql.end(); await dropScratchDatabase(url); });

const run = (id: string, extra: Partial<RunRecord> = {}): RunRecord => ({
  id, vendorId, customerId: null, flowId: null, flowVersion: null, automation: 'caller_lookup', mode: 'live', status: 'succeeded',
  trigger: { phone: '+1 "quoted" \\ \u2028' }, response: { status: 200, body: { found: false } }, error: null, startedAt: new Date(), finishedAt: new Date(), durationMs: 1.5,
  steps: [{ seq: 1, nodeId: 't', blockId: 'trigger.webhook', status: 'succeeded', input: {}, output: { phone: '+1' }, port: 'out', startedAt: new Date().toISOString(), durationMs: 0.1 }],
  ...extra,
});

describe('RunRecorder', () => {
  it('writes buffered runs in one batch, keeps odd characters intact, and clips huge values', async () => {
    const rec = new RunRecorder(sql, 20);
    const ids = Array.from({ length: 300 }, () => crypto.randomUUID());
    for (const id of ids) rec.record(run(id));
    expect(rec.pending.size).toBe(300);
    const big = crypto.randomUUID();
    rec.record(run(big, { steps: [{ seq: 1, nodeId: 'x', blockId: 'http.request', status: 'succeeded', input: {}, output: { blob: 'x'.repeat(100_000) }, port: 'out', startedAt: new Date().toISOString(), durationMs: 3 }] }));
    await rec.close();
    expect(rec.pending.size).toBe(0);
    const [{ n }] = await sql`select count(*)::int as n from runs`;
    expect(n).toBe(301);
    const [one] = await sql`select trigger, steps from runs where id = ${ids[7]}`;
    expect(one.trigger).toEqual({ phone: '+1 "quoted" \\ \u2028' });
    expect(one.steps[0]).toMatchObject({ seq: 1, nodeId: 't', output: { phone: '+1' } });
    const [clipped] = await sql`select steps from runs where id = ${big}`;
    expect(clipped.steps[0].output).toMatchObject({ truncated: true, bytes: JSON.stringify({ blob: "x".repeat(100_000) }).length });
  });

  it('merges steps by seq when a resumed run is recorded again', async () => {
    const rec = new RunRecorder(sql, 20);
    const id = crypto.randomUUID();
    const s = (seq: number, nodeId: string) => ({ seq, nodeId, blockId: 'b', status: 'succeeded' as const, input: {}, output: {}, port: 'out', startedAt: new Date().toISOString(), durationMs: 1 });
    await rec.recordNow(run(id, { status: 'waiting', steps: [s(1, 't'), s(2, 'wait')] }));
    await rec.recordNow(run(id, { status: 'succeeded', steps: [s(3, 'log')] }));
    const [row] = await sql`select status, steps from runs where id = ${id}`;
    expect(row.status).toBe('succeeded');
    expect(row.steps.map((x: { nodeId: string }) => x.nodeId)).toEqual(['t', 'wait', 'log']);
  });

  it('stores what a run repeats only once (trigger output, respond step, the response text as sent) and reads it back whole', async () => {
    const rec = new RunRecorder(sql, 20);
    const id = crypto.randomUUID();
    const trigger = { phone: '+12025550123' };
    const body = { found: true, contact: { firstName: 'Ada', note: 'line\nbreak "q"' } };
    const response = { status: 200, body };
    const at = new Date().toISOString();
    rec.record(run(id, {
      trigger, response,
      steps: [
        { seq: 1, nodeId: 'trigger', blockId: 'trigger.webhook', status: 'succeeded', input: null, output: trigger, port: 'out', startedAt: at, durationMs: 0.0123456 },
        { seq: 2, nodeId: 'respond', blockId: 'respond.json', status: 'succeeded', input: { status: 200, body }, output: { status: 200, body }, port: 'out', startedAt: at, durationMs: 0.02 },
      ],
      // what the public API sets after answering: the body text exactly as sent
      responseBodyJson: JSON.stringify(body),
    }));
    await rec.close();
    const [raw] = await sql`select steps::text as steps, response from runs where id = ${id}`;
    expect(raw.response).toEqual(response);
    // each value once: the contact is in the response only, the phone in the trigger only
    expect(raw.steps).not.toContain('Ada');
    expect(raw.steps).not.toContain('2025550123');
    const view = await readRun(sql, vendorId, id);
    expect(view!.steps[0]).toMatchObject({ nodeId: 'trigger', output: trigger, durationMs: 0.012 });
    expect(view!.steps[1]).toMatchObject({ nodeId: 'respond', input: { status: 200, body }, output: { status: 200, body } });
    expect(view!.response).toEqual(response);
  });
});
