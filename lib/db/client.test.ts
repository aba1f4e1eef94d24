import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, dropScratchDatabase } from '@/tests/api/server-process';
import { connect } from './client';

let url = '';
let h: ReturnType<typeof connect>;
beforeAll(async () => { url = await createScratchDatabase('patchbay_client'); h = connect(url, 2); });
afterAll(async () => { await h.sql.end(); await dropScratchDatabase(url); });

describe('the shared client', () => {
  it('takes Date and object parameters in plain sql queries, with dates as text and JSON text passed through', async () => {
    const { sql } = h;
    await sql`create table t (at timestamptz, doc json, meta jsonb)`;
    const at = new Date(Date.UTC(2026, 10, 25, 12, 0, 0));
    await sql`insert into t (at, doc, meta) values (${at}, ${sql.json({ a: 1 })}, ${sql.json({ b: [2] })})`;
    const [row] = await sql`select at, doc, meta from t where at >= ${new Date(at.getTime() - 1000)} and at < ${new Date(at.getTime() + 1000)}`;
    expect(new Date(row.at).toISOString()).toBe(at.toISOString());
    expect(row.doc).toEqual({ a: 1 });
    expect(row.meta).toEqual({ b: [2] });
    // strings still pass through as they are (JSON text is not encoded twice)
    const [s] = await sql`select ${'2026-11-25T12:00:00.000Z'}::timestamptz = ${at} as same, ${'{"c":3}'}::json->>'c' as c`;
    expect(s).toEqual({ same: true, c: '3' });
  });
});
