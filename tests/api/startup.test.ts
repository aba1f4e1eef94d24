// First start and upgrades with several processes: two servers started at the same moment on one empty database
// both come up, the migrations ran once and the demo tenant was seeded once; a process older than the schema it
// meets says so and stops instead of writing into it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase, dropScratchDatabase, startServer, type StartedServer } from './server-process';

const running: StartedServer[] = [];
const databases: string[] = [];
afterAll(async () => {
  for (const s of running) await s.stop('SIGKILL').catch(() => {});
  for (const d of databases) await dropScratchDatabase(d);
});

const journal = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };

// Both API projects would run this identically: it brings its own databases, so it runs once (the real server's).
describe.skipIf(inject('dbKind') !== 'url')('several processes starting on one database', () => {
  it('two servers started together on an empty database both answer; migrations and the demo seed ran once', async () => {
    const url = await createScratchDatabase('patchbay_start');
    databases.push(url);
    // The same secrets on both, as a deployment of several processes has them.
    const env = { PATCHBAY_ENCRYPTION_KEY: randomBytes(32).toString('hex'), NEXTAUTH_SECRET: randomBytes(24).toString('hex'), PATCHBAY_DEMO_API_KEY: `pb_start_${randomBytes(8).toString('hex')}` };
    const servers = await Promise.all([0, 1].map(() => startServer({ dbKind: 'url', databaseUrl: url, env })));
    running.push(...servers);
    for (const s of servers) {
      const res = await fetch(`${s.baseUrl}/api/v1/customers/demo/automations/caller_lookup`, {
        method: 'POST', headers: { authorization: `Bearer ${env.PATCHBAY_DEMO_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+14157040007' }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).found).toBe(true);
    }
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(n).toBe(journal.entries.length);
      const [{ staff }] = await sql<{ staff: number }[]>`select count(*)::int as staff from staff_users`;
      expect(staff).toBe(1);
      const [{ flows }] = await sql<{ flows: number }[]>`select count(*)::int as flows from flows where automation = 'caller_lookup'`;
      expect(flows).toBe(1);
    } finally {
      await sql.end();
    }
  }, 180_000);

  it('a process older than the database schema refuses to start and names the problem', async () => {
    const url = await createScratchDatabase('patchbay_newer');
    databases.push(url);
    const first = await startServer({ dbKind: 'url', databaseUrl: url });
    await first.stop();
    // A newer Patchbay migrated this database since: a migration this code does not have.
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const future = Math.max(...journal.entries.map((e) => e.when)) + 86_400_000;
    await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-a-newer-version', ${future})`;
    const [{ n: before }] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await sql.end();
    const err = await startServer({ dbKind: 'url', databaseUrl: url }).then((s) => { running.push(s); return null; }, (e: Error) => e);
    expect(err?.message).toMatch(/migrated by a newer Patchbay/);
    const check = postgres(url, { max: 1, onnotice: () => {} });
    const [{ n: after }] = await check<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await check.end();
    expect(after).toBe(before);
  }, 180_000);

  it('readiness answers 200 with its checks, and 503 naming the check once the schema is not the one this version expects', async () => {
    const url = await createScratchDatabase('patchbay_ready');
    databases.push(url);
    const s = await startServer({ dbKind: 'url', databaseUrl: url });
    running.push(s);
    const first = await fetch(`${s.baseUrl}/api/v1/ready`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'current', worker: 'running', stopping: false } });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-a-newer-version', ${Math.max(...journal.entries.map((e) => e.when)) + 1})`;
    await sql.end();
    const later = await fetch(`${s.baseUrl}/api/v1/ready`);
    expect(later.status).toBe(503);
    expect((await later.json()).checks.migrations).toBe('behind_or_ahead');
  }, 180_000);

  it('SIGTERM lets a request in flight finish and store its write, refuses new connections, and exits cleanly', async () => {
    const s = await startServer({ dbKind: 'url' });
    running.push(s);
    databases.push(s.databaseUrl);
    const phone = '+1415555' + String(Math.floor(Math.random() * 9000) + 1000);
    const body = JSON.stringify({ contacts: [{ externalId: 'drain-1', source: 'drain', displayName: 'Drain Test', phones: [phone] }] });
    const u = new URL(`${s.baseUrl}/api/v1/customers/demo/cdp/contacts`);
    // The request is under way (headers and half the body sent) when the signal arrives.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        s.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 700);
      }, 300);
    });
    const done = await answer;
    expect(done.status).toBe(200);
    await expect(fetch(`${s.baseUrl}/api/v1/health`)).rejects.toThrow();
    const exit = await new Promise<number | null>((r) => (s.proc.exitCode !== null ? r(s.proc.exitCode) : s.proc.once('exit', (c) => r(c))));
    expect(exit).toBe(0);
    const sql = postgres(s.databaseUrl, { max: 1, onnotice: () => {} });
    const rows = await sql`select 1 from cdp_contacts where external_id = 'drain-1' and source = 'drain'`;
    await sql.end();
    expect(rows.length).toBe(1);
  }, 180_000);
});

