// Crashes: what Patchbay acknowledged survives kill -9 of its whole process group (the server and the embedded
// PostgreSQL it runs), and `npm start` comes back by itself after the node process alone was killed (the
// embedded PostgreSQL then survives as an orphan). Each test runs its own servers on its own data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { saveConnection } from '@/lib/engine-host/connections';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { clusterProcesses, processAlive } from '@/lib/db/embedded';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import { freePort, startServer, type StartedServer } from './server-process';

const dirs: string[] = [];
const running: StartedServer[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const s of running) await s.stop('SIGKILL').catch(() => {});
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) {
    for (const pid of clusterProcesses(path.join(d, 'postgres')) ?? []) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-crash-'));
  dirs.push(d);
  return d;
}

async function call(base: string, key: string, p: string, body?: unknown, method?: string) {
  const res = await fetch(base + p, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A call_ended automation for customer demo and a phone-system connection whose webhook secret we know. */
async function arrangePhoneHooks(server: StartedServer, secret: string): Promise<string> {
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = 'demo'`;
    const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(server.dataDir, 'secrets.json'), 'utf8')).encryptionKey, 'hex');
    await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:1', credentials: { token: 't', webhookSecret: secret } });
    const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition: {
      name: 'On call end', automation: 'call_ended',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'r', type: 'respond.json', params: { body: { call: '=trigger.callId' } } }],
      edges: [{ id: 'a', source: 't', target: 'r' }],
    } });
    await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: saved.flowId });
    return `/api/v1/hooks/${c.slug}/demo/phone-system`;
  } finally { await sql.end(); }
}

function deliver(base: string, hookPath: string, secret: string, id: string) {
  const body = JSON.stringify({ event: 'call.ended', deliveryId: id, callId: `call-${id}`, from: '+12025550123', to: '+12025550100' });
  return fetch(base + hookPath, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(secret, body), 'x-phonesystem-event': 'call.ended', 'x-phonesystem-delivery': id } });
}

// One server is enough for both database kinds: these tests are about the embedded PostgreSQL.
describe.skipIf(inject('dbKind') === 'url')('crash recovery (embedded PostgreSQL)', () => {
  it('keeps acknowledged CDP writes, deletes and webhook deliveries through kill -9 of the whole process group', { timeout: 240_000 }, async () => {
    const dataDir = tempDir();
    const secret = 'whsec_crash_' + Math.random().toString(36).slice(2);
    const env = { PATCHBAY_DEMO_CONTACTS: '0' };
    let server = await startServer({ dbKind: 'embedded', dataDir, env, detached: true });
    running.push(server);
    const hookPath = await arrangePhoneHooks(server, secret);
    const key = server.apiKey;
    const contact = (n: number) => ({ source: 'hubspot', externalId: `crash-${n}`, firstName: 'Crash', lastName: `Test ${n}`, phones: [`+1 415 555 ${String(1000 + n)}`] });
    // Contacts the rounds' delete webhooks remove.
    expect((await call(server.baseUrl, key, '/api/v1/customers/demo/cdp/contacts', { contacts: [contact(100), contact(101), contact(102)] })).body).toMatchObject({ inserted: 3 });

    for (const round of [0, 1, 2]) {
      const base = server.baseUrl;
      // Three acknowledged writes at once, then the process group dies the moment the last answer is in.
      const [upsert, deleted, hook] = await Promise.all([
        call(base, key, '/api/v1/customers/demo/cdp/contacts', { contacts: [contact(round)] }),
        call(base, key, '/api/v1/customers/demo/webhooks/hubspot/contacts-deleted', { ids: [`crash-${100 + round}`] }),
        deliver(base, hookPath, secret, `dlv-crash-${round}`),
      ]);
      process.kill(-server.proc.pid!, 'SIGKILL');
      expect(upsert).toMatchObject({ status: 200, body: { inserted: 1 } });
      expect(deleted).toMatchObject({ status: 200, body: { deleted: { cdp: 1 } } });
      expect(hook.status).toBe(202);
      const { runId } = (await hook.json()) as { runId: string };
      await until('the process group to die', () => server.proc.exitCode !== null || server.proc.signalCode !== null);
      await until('the embedded PostgreSQL to die', () => (clusterProcesses(path.join(dataDir, 'postgres')) ?? []).length === 0);

      server = await startServer({ dbKind: 'embedded', dataDir, env, detached: true });
      running.push(server);
      for (let n = 0; n <= round; n++) {
        const found = await call(server.baseUrl, key, '/api/v1/customers/demo/automations/caller_lookup', { phone: `+1 415 555 ${String(1000 + n)}` });
        expect(found.body, `contact crash-${n} written in round ${n}`).toMatchObject({ found: true, contact: { externalId: `crash-${n}` } });
        const gone = await call(server.baseUrl, key, '/api/v1/customers/demo/automations/caller_lookup', { phone: `+1 415 555 ${String(1100 + n)}` });
        expect(gone.body, `contact crash-${100 + n} deleted in round ${n}`).toEqual({ found: false });
      }
      // The delivery was recorded (a re-delivery is a duplicate) and its queued run still runs, once.
      const again = await deliver(server.baseUrl, hookPath, secret, `dlv-crash-${round}`);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ duplicate: true, runId });
      // The run is there and runs to its end — unless the worker had claimed it in the instant before the kill:
      // such a run stays 'running' (known gap, see ARCHITECTURE.md "Durability"); it is not lost.
      let last: { status?: string } | null = null;
      await until(`the queued webhook run of round ${round} to finish`, async () => {
        last = (await call(server.baseUrl, key, `/api/v1/runs/${runId}`)).body;
        return last?.status === 'succeeded' || last?.status === 'running';
      }, 60_000).catch((e: Error) => { throw new Error(`${e.message}; last seen: ${JSON.stringify(last)?.slice(0, 600)}`); });
    }
    await server.stop();
  });

  it('`npm start` comes back after the node process alone was killed, and refuses a data folder a live Patchbay owns', { timeout: 240_000 }, async () => {
    const dataDir = tempDir();
    const pgDir = path.join(dataDir, 'postgres');
    const port = await freePort();
    const apiKey = 'pb_test_' + Math.random().toString(36).slice(2);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PATCHBAY_DATA_DIR: dataDir, PATCHBAY_DEMO_API_KEY: apiKey, PATCHBAY_DEMO_CONTACTS: '20', PATCHBAY_NO_UI: '1' };
    delete env.DATABASE_URL;
    const npmStart = async () => {
      let out = '';
      const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      await until('npm start to be ready', () => {
        if (child.exitCode !== null) throw new Error(`npm start exited:\n${out}`);
        return out.includes('Ready on');
      }, 120_000);
      return { child, output: () => out };
    };
    const first = await npmStart();
    const base = `http://127.0.0.1:${port}`;
    expect((await call(base, apiKey, '/api/v1/customers/demo/cdp/contacts', { contacts: [{ source: 'hubspot', externalId: 'before-crash', lastName: 'Before', phones: ['+1 415 555 4242'] }] })).body).toMatchObject({ inserted: 1 });

    // A second Patchbay on the same data folder while the first lives: refused, and the first keeps working.
    const second = await startServer({ dbKind: 'embedded', dataDir: tempDir(), env: { PATCHBAY_DATA_DIR: dataDir } }).then(() => 'started', (e: Error) => e.message);
    expect(second).toMatch(/is in use by/);
    expect((await call(base, apiKey, '/api/v1/customers/demo/automations/caller_lookup', { phone: '+1 415 555 4242' })).body).toMatchObject({ found: true });

    // The node process alone dies (OOM killer, crash): its PostgreSQL lives on as an orphan.
    const serverPid = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8')).pid as number;
    process.kill(serverPid, 'SIGKILL');
    await until('npm start to exit', () => first.child.exitCode !== null);
    await until('the server process to be gone', () => !processAlive(serverPid));
    const orphans = clusterProcesses(pgDir) ?? [];
    expect(orphans.length, 'the embedded PostgreSQL outlived the killed server').toBeGreaterThan(0);
    expect(fs.existsSync(path.join(pgDir, 'postmaster.pid'))).toBe(true);

    const again = await npmStart();
    expect(again.output()).toMatch(/left running by a Patchbay that is gone/);
    expect((await call(base, apiKey, '/api/v1/customers/demo/automations/caller_lookup', { phone: '+1 415 555 4242' })).body).toMatchObject({ found: true, contact: { externalId: 'before-crash' } });
    for (const pid of orphans) expect(processAlive(pid), `orphan ${pid} was stopped`).toBe(false);

    again.child.kill('SIGTERM');
    await until('npm start to stop', () => again.child.exitCode !== null);
    expect(again.child.exitCode).toBe(0);
    expect(clusterProcesses(pgDir) ?? []).toEqual([]);
    expect(again.output()).not.toMatch(/job engine error/);
  });
});
