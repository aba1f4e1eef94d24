import { z } from 'zod';
import { schemaIsCurrent } from '../../db/migrate';
import { defineRoute } from '../route';

export const health = defineRoute({
  operationId: 'health',
  method: 'GET',
  path: '/api/v1/health',
  tag: 'Meta',
  summary: 'Liveness',
  auth: { kind: 'none' },
  responses: { 200: { description: 'The process answers', schema: z.object({ ok: z.literal(true) }) } },
  async handler() { return { status: 200, body: { ok: true } }; },
});

const readiness = z.object({
  ready: z.boolean(),
  checks: z.object({
    database: z.enum(['ok', 'unreachable']),
    migrations: z.enum(['current', 'behind_or_ahead', 'unknown']),
    worker: z.enum(['running', 'stopped', 'not_in_this_process']),
    stopping: z.boolean(),
  }),
});

/** For load balancers and orchestrators: 200 only when this process can serve (and work jobs, where it should). */
export const ready = defineRoute({
  operationId: 'ready',
  method: 'GET',
  path: '/api/v1/ready',
  tag: 'Meta',
  summary: 'Readiness',
  description: 'Database reachable within 2 s, its schema exactly the one this version expects, the job worker polling where this process runs one, and no shutdown under way. 503 with the failing checks otherwise.',
  auth: { kind: 'none' },
  responses: {
    200: { description: 'Ready', schema: readiness },
    503: { description: 'Not ready: which check failed', schema: readiness },
  },
  async handler({ deps }) {
    const stopping = deps.lifecycle?.stopping() ?? false;
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
    let database: 'ok' | 'unreachable' = 'ok';
    let migrations: 'current' | 'behind_or_ahead' | 'unknown' = 'unknown';
    try {
      migrations = (await Promise.race([schemaIsCurrent(deps.sql), timeout])) ? 'current' : 'behind_or_ahead';
    } catch {
      database = 'unreachable';
    }
    const w = deps.lifecycle?.worker;
    const worker = !w?.expected ? 'not_in_this_process' : w.running() ? 'running' : 'stopped';
    const ok = !stopping && database === 'ok' && migrations === 'current' && worker !== 'stopped';
    return { status: ok ? 200 : 503, body: { ready: ok, checks: { database, migrations, worker, stopping } } };
  },
});
