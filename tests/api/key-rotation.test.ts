// Key rotation (`npx patchbay rotate-key`, cli/rotate-key.ts): killed half way it leaves every credential readable,
// run again it finishes, and then every connection decrypts under the new key and none under the old; the app
// keeps answering connection-using requests (signed phone-system webhooks, whose secret is a stored credential)
// throughout. Once with the keys in the environment (production's way), once with demo mode's secrets.json.
import { spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import { decryptJson, encryptJson, keyId, keyring, payloadKeyId } from '@/lib/crypto/credentials';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { dropScratchDatabase, startServer, type StartedServer } from './server-process';

const dbKind = inject('dbKind');
const running: StartedServer[] = [];
afterAll(async () => {
  for (const s of running) {
    await s.stop().catch(() => {});
    if (s.dbKind === 'url') await dropScratchDatabase(s.databaseUrl);
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});

const SYSTEMS = ['hubspot', 'salesforce', 'pipedrive', 'zoho', 'dynamics'];

/** A payload in the format before key ids (v1.iv.tag.data), as installations from before them hold. */
function encryptV1(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/**
 * Under `key`: customer demo's phone-system connection with a webhook secret and a call_ended automation, and
 * `customers` more customers with a connection per CRM (every third one in the older v1 format).
 * Returns the hook path and each connection's credentials in clear, by row id.
 */
async function arrange(server: StartedServer, key: Buffer, secret: string, customers: number) {
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = 'demo'`;
    const plain = new Map<string, Record<string, unknown>>();
    const creds = { token: 'pbx-token', webhookSecret: secret };
    const [pbx] = await sql`insert into connections (customer_id, system, name, auth_kind, base_url, credentials_enc)
      values (${c.id}, 'phonesystem', 'Phone system', 'apiKey', 'http://127.0.0.1:1', ${encryptJson(key, creds)}) returning id`;
    plain.set(pbx.id, creds);
    const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition: {
      name: 'On call end', automation: 'call_ended',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'r', type: 'respond.json', params: { body: { call: '=trigger.callId' } } }],
      edges: [{ id: 'a', source: 't', target: 'r' }],
    } });
    await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: saved.flowId });
    const ids = await sql<{ id: string }[]>`insert into customers ${sql(Array.from({ length: customers }, (_, i) => ({ vendor_id: c.vendor_id, external_id: `rot-${i}`, name: `Rotation ${i}` })))} returning id`;
    const rows = ids.flatMap(({ id }, i) => SYSTEMS.map((system) => {
      const credentials = { token: `tok-${i}-${system}-${randomBytes(6).toString('hex')}` };
      return { customer_id: id, system, name: system, auth_kind: 'apiKey', base_url: 'http://127.0.0.1:1', credentials_enc: i % 3 === 0 ? encryptV1(key, credentials) : encryptJson(key, credentials), credentials };
    }));
    const inserted = await sql<{ id: string; credentials_enc: string }[]>`insert into connections ${sql(rows.map(({ credentials: _, ...r }) => r))} returning id, credentials_enc`;
    for (const r of inserted) plain.set(r.id, rows.find((x) => x.credentials_enc === r.credentials_enc)!.credentials);
    return { hookPath: `/api/v1/hooks/${c.slug}/demo/phone-system`, plain };
  } finally { await sql.end(); }
}

let delivery = 0;
/** A signed call.ended delivery: 202 only if the server opened the stored webhook secret. */
async function deliver(server: StartedServer, hookPath: string, secret: string): Promise<number> {
  const id = `dlv-rot-${++delivery}-${Date.now()}`;
  const body = JSON.stringify({ event: 'call.ended', deliveryId: id, callId: `call-${id}`, from: '+12025550123', to: '+12025550100' });
  const res = await fetch(server.baseUrl + hookPath, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(secret, body), 'x-phonesystem-event': 'call.ended', 'x-phonesystem-delivery': id } });
  await res.text();
  return res.status;
}

/** `npx patchbay rotate-key` as a process; meanwhile webhook deliveries keep going, each must be accepted. */
async function rotateKey(server: StartedServer, env: Record<string, string>, args: string[], during: () => Promise<number>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'cli/patchbay.ts', 'rotate-key', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, PATCHBAY_DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  proc.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const statuses: number[] = [];
  let done = false;
  void exited.then(() => { done = true; });
  while (!done) statuses.push(await during());
  return { ...(await exited), out, statuses };
}

async function storedRows(server: StartedServer) {
  const sql = postgres(server.databaseUrl, { max: 1, onnotice: () => {} });
  try { return await sql<{ id: string; credentials_enc: string }[]>`select id, credentials_enc from connections`; } finally { await sql.end(); }
}

function expectAllUnder(rows: { id: string; credentials_enc: string }[], plain: Map<string, Record<string, unknown>>, next: Buffer, old: Buffer) {
  for (const r of rows) {
    expect(payloadKeyId(r.credentials_enc)).toBe(keyId(next));
    expect(decryptJson(next, r.credentials_enc)).toEqual(plain.get(r.id));
    expect(() => decryptJson(old, r.credentials_enc)).toThrow(/cannot be decrypted/);
  }
}

describe('npx patchbay rotate-key', () => {
  it('with the keys in the environment: killed half way, every credential still opens; run again, all are under the new key only', { timeout: 300_000 }, async () => {
    const old = randomBytes(32), next = randomBytes(32);
    const secret = 'whsec_rot_' + randomBytes(6).toString('hex');
    const keys = { PATCHBAY_ENCRYPTION_KEY: next.toString('hex'), PATCHBAY_ENCRYPTION_KEY_PREVIOUS: old.toString('hex') };
    let server = await startServer({ dbKind, env: { PATCHBAY_DEMO_CONTACTS: '0', ...keys } });
    running.push(server);
    const { hookPath, plain } = await arrange(server, old, secret, 60);
    const total = plain.size;
    expect(total).toBe(301);
    // The app holds both keys: a credential still under the old one opens.
    expect(await deliver(server, hookPath, secret)).toBe(202);

    const crashed = await rotateKey(server, keys, ['--crash-after', '120'], () => deliver(server, hookPath, secret));
    expect(crashed.signal, crashed.out).toBe('SIGKILL');
    expect(crashed.statuses.length).toBeGreaterThan(0);
    expect(new Set(crashed.statuses)).toEqual(new Set([202]));
    let rows = await storedRows(server);
    expect(rows.filter((r) => payloadKeyId(r.credentials_enc) === keyId(next))).toHaveLength(120);
    for (const r of rows) expect(decryptJson(keyring(next, old), r.credentials_enc)).toEqual(plain.get(r.id));

    const again = await rotateKey(server, keys, [], () => deliver(server, hookPath, secret));
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain(`re-encrypted ${total - 120}/${total - 120}`);
    expect(again.out).toMatch(/Every credential is under key .*remove PATCHBAY_ENCRYPTION_KEY_PREVIOUS/);
    expect(new Set(again.statuses)).toEqual(new Set([202]));
    rows = await storedRows(server);
    expect(rows).toHaveLength(total);
    expectAllUnder(rows, plain, next, old);

    // A third run has nothing to do; then the app runs on the new key alone.
    const third = await rotateKey(server, keys, [], () => new Promise((r) => setTimeout(() => r(0), 50)));
    expect(third.code, third.out).toBe(0);
    expect(third.out).toContain('re-encrypted 0/0');
    await server.stop();
    server = await startServer({ dbKind, dataDir: server.dataDir, databaseUrl: server.databaseUrl, env: { PATCHBAY_DEMO_CONTACTS: '0', PATCHBAY_ENCRYPTION_KEY: next.toString('hex') } });
    running.push(server);
    expect(await deliver(server, hookPath, secret)).toBe(202);
  });

  it('in demo mode: generates the new key into secrets.json, resumes after a crash, and the running app follows', { timeout: 300_000 }, async () => {
    const secret = 'whsec_rot_' + randomBytes(6).toString('hex');
    const server = await startServer({ dbKind, env: { PATCHBAY_DEMO_CONTACTS: '0' } });
    running.push(server);
    const file = path.join(server.dataDir, 'secrets.json');
    const readFile = () => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string | undefined>;
    const old = Buffer.from(readFile().encryptionKey!, 'hex');
    const { hookPath, plain } = await arrange(server, old, secret, 30);

    const crashed = await rotateKey(server, {}, ['--crash-after', '40'], () => deliver(server, hookPath, secret));
    expect(crashed.signal, crashed.out).toBe('SIGKILL');
    expect(new Set(crashed.statuses)).toEqual(new Set([202]));
    const half = readFile();
    expect(half.previousEncryptionKey).toBe(old.toString('hex'));
    const next = Buffer.from(half.encryptionKey!, 'hex');
    expect(next.equals(old)).toBe(false);
    for (const r of await storedRows(server)) expect(decryptJson(keyring(next, old), r.credentials_enc)).toEqual(plain.get(r.id));

    const again = await rotateKey(server, {}, [], () => deliver(server, hookPath, secret));
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('Resuming the rotation begun earlier');
    expect(new Set(again.statuses)).toEqual(new Set([202]));
    expect(readFile()).toMatchObject({ encryptionKey: next.toString('hex') });
    expect(readFile().previousEncryptionKey).toBeUndefined();
    expectAllUnder(await storedRows(server), plain, next, old);
    // The running app, never restarted, reads and writes under the new key alone.
    expect(await deliver(server, hookPath, secret)).toBe(202);
    const res = await fetch(`${server.baseUrl}/api/v1/customers/rot-0/connections/phonesystem`, {
      method: 'PUT', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ baseUrl: 'http://127.0.0.1:2', credentials: { token: 'pbx-2' }, webhookSecret: 'whsec_new_0123456789' }),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    const written = (await storedRows(server)).filter((r) => !plain.has(r.id));
    expect(written).toHaveLength(1);
    expect(decryptJson(next, written[0].credentials_enc)).toMatchObject({ webhookSecret: 'whsec_new_0123456789' });
  });
});
