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

  it('stores payloads PostgreSQL cannot take as they are (NUL, lone surrogates) with U+FFFD, and leaves text that only looks like an escape alone', async () => {
    const rec = new RunRecorder(sql, 20);
    const id = crypto.randomUUID();
    const trigger = { nul: 'a\u0000b', lone: 'x\ud800y', low: '\udc00', literal: 'back\\u0000slash', pair: 'call \ud83d\udcde', odd: '\\\u0000' };
    rec.record(run(id, { trigger, responseBodyJson: JSON.stringify({ echo: 'n\u0000' }), response: { status: 200, body: { echo: 'n\u0000' } } }));
    await rec.close();
    const [row] = await sql`select trigger, response from runs where id = ${id}`;
    expect(row.trigger).toEqual({ nul: 'a\ufffdb', lone: 'x\ufffdy', low: '\ufffd', literal: 'back\\u0000slash', pair: 'call \ud83d\udcde', odd: '\\\ufffd' });
    expect(row.response).toEqual({ status: 200, body: { echo: 'n\ufffd' } });
  });

  it('a record the database refuses does not hold up the others: they are written, it is kept as an outline or dropped', async () => {
    const rec = new RunRecorder(sql, 20);
    const errors = console.error;
    const logged: string[] = [];
    console.error = (...a: unknown[]) => { logged.push(a.join(' ')); };
    try {
      const good = Array.from({ length: 5 }, () => crypto.randomUUID());
      const orphan = crypto.randomUUID();
      const badDate = crypto.randomUUID();
      for (const id of good.slice(0, 2)) rec.record(run(id));
      // a customer deleted while its run waited in the buffer (foreign key), and a run with an impossible date
      rec.record(run(orphan, { customerId: crypto.randomUUID() }));
      rec.record(run(badDate, { finishedAt: new Date(Number.NaN) }));
      for (const id of good.slice(2)) rec.record(run(id));
      await rec.close();
      expect(rec.backlog).toBe(0);
      const rows = await sql<{ id: string; trigger: { unstorable?: string } }[]>`select id, trigger from runs where id = any(${[...good, orphan, badDate]})`;
      expect(rows.map((r) => r.id).sort()).toEqual([...good, badDate].sort());
      expect(rows.find((r) => r.id === badDate)!.trigger.unstorable).toMatch(/could not be stored/);
      expect(logged.join('\n')).toMatch(new RegExp(`run ${orphan} could not be recorded`));
    } finally {
      console.error = errors;
    }
  });

  describe('write loop (against a stand-in database)', () => {
    /** A tagged-template `sql` whose inserts take `ms`, fail while `failing`, and report the run ids they carried. */
    function fakeSql(ms: number) {
      const state = { calls: 0, inFlight: 0, maxInFlight: 0, failing: false, written: [] as string[] };
      const sqlFn = async (_strings: TemplateStringsArray, json: string) => {
        state.calls++;
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        await new Promise((r) => setTimeout(r, ms));
        state.inFlight--;
        if (state.failing) throw new Error('connection refused');
        for (const row of JSON.parse(json) as { id: string }[]) state.written.push(row.id);
      };
      return { sql: sqlFn as unknown as postgres.Sql, state };
    }

    it('keeps one insert in flight while a slow database falls behind, and writes every run exactly once', async () => {
      const { sql: slow, state } = fakeSql(40);
      const rec = new RunRecorder(slow, { intervalMs: 5, maxBatch: 200 });
      const ids: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const id = crypto.randomUUID();
        ids.push(id);
        rec.record(run(id));
        if (i % 300 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      await rec.close();
      expect(state.maxInFlight).toBe(1);
      // about one insert per full batch, not one attempt per buffered run
      expect(state.calls).toBeLessThanOrEqual(3000 / 200 + 12);
      expect(state.written.length).toBe(3000);
      expect(new Set(state.written)).toEqual(new Set(ids));
      expect(rec.pending.size).toBe(0);
    });

    it('makes callers wait past the high-water mark instead of growing without bound', async () => {
      const { sql: slow, state } = fakeSql(30);
      const rec = new RunRecorder(slow, { intervalMs: 5, maxBatch: 100, highWater: 250 });
      const waits: Promise<void>[] = [];
      for (let i = 0; i < 400; i++) { const w = rec.record(run(crypto.randomUUID())); if (w) waits.push(w); }
      // the first 100 left in the first insert; of the 300 after them, those from the 250th on must wait
      expect(waits.length).toBe(300 - 250 + 1);
      expect(rec.backlog).toBeGreaterThanOrEqual(250);
      await Promise.all(waits);
      expect(rec.backlog).toBeLessThan(250);
      await rec.close();
      expect(state.written.length).toBe(400);
    });

    it('keeps the runs of a failed insert and writes them once the database is back, after a pause', async () => {
      const { sql: flaky, state } = fakeSql(5);
      const rec = new RunRecorder(flaky, { intervalMs: 5, maxBatch: 50, retryMs: 200 });
      state.failing = true;
      const ids = Array.from({ length: 120 }, () => crypto.randomUUID());
      const errors = console.error;
      console.error = () => {};
      try {
        for (const id of ids) rec.record(run(id));
        await new Promise((r) => setTimeout(r, 100));
        // one failed attempt, then a pause: no retry storm while runs keep arriving
        for (let i = 0; i < 200; i++) rec.record(run(crypto.randomUUID()));
        expect(state.calls).toBe(1);
        expect(state.written.length).toBe(0);
        state.failing = false;
        await new Promise((r) => setTimeout(r, 400));
        await rec.close();
      } finally {
        console.error = errors;
      }
      expect(state.written.length).toBe(320);
      expect(new Set(state.written).size).toBe(320);
      for (const id of ids) expect(state.written).toContain(id);
    });
  });
});
