// Starts Patchbay once for the browser tests, as the README does (`node scripts/start.mjs`, which builds the web
// app when stale) on a fresh data folder, unless E2E_BASE_URL + E2E_DATA_DIR name a server already running.
// The specs reach it through process.env (set here, inherited by the test workers); the returned function stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL && process.env.E2E_DATA_DIR) return async () => {};
  const port = Number(process.env.E2E_PORT ?? 3499);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), PATCHBAY_DATA_DIR: dataDir, PATCHBAY_DEMO_API_KEY: process.env.E2E_API_KEY ?? 'pb_e2e_demo_key',
    PATCHBAY_DEMO_CONTACTS: process.env.PATCHBAY_DEMO_CONTACTS ?? '500', NEXT_TELEMETRY_DISABLED: '1',
  };
  delete env.DATABASE_URL;
  const server: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const outDir = path.join(root, 'test-results', 'e2e');
  fs.mkdirSync(outDir, { recursive: true });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The app did not start within 15 minutes:\n${log.slice(-3000)}`)), 15 * 60_000);
    server.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Ready on (http:\/\/\S+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`The app exited (${code}) before it was ready:\n${log.slice(-3000)}`)); });
  }).catch((err) => { server.kill('SIGKILL'); throw err; });
  process.env.E2E_BASE_URL = base;
  process.env.E2E_DATA_DIR = dataDir;
  return async () => {
    fs.writeFileSync(path.join(outDir, 'server.log'), log);
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise<void>((resolve) => { const t = setTimeout(() => { server.kill('SIGKILL'); resolve(); }, 20_000); server.once('exit', () => { clearTimeout(t); resolve(); }); });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
