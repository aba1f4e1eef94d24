import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, dropScratchDatabase } from '@/tests/api/server-process';
import { createPipelinedPool, type PipelinedPool } from './pipelined-pool';

let url = '';
let pool: PipelinedPool;
beforeAll(async () => { url = await createScratchDatabase('patchbay_pipe'); pool = createPipelinedPool(url, 3); });
afterAll(async () => { await pool.end(); await dropScratchDatabase(url); });

describe('createPipelinedPool', () => {
  it('takes its single-connection clients in turn and answers many concurrent queries in order of their own', async () => {
    const seen = new Set(Array.from({ length: 6 }, () => pool.next()));
    expect(seen.size).toBe(3);
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => pool.next().unsafe<{ n: number; pid: number }[]>('select $1::int as n, pg_backend_pid() as pid', [i], { prepare: true })));
    expect(answers.map((r) => r[0].n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    // every query ran on one of exactly three server connections
    expect(new Set(answers.map((r) => r[0].pid)).size).toBe(3);
  });
});
