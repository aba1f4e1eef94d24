// Builds the web app when scripts/start.mjs would (its sources changed since the last build) and writes the
// same stamp, so start.mjs then starts without building. e2e/run.mjs runs this under a lock (E2E_BUILD_LOCK)
// on machines where several processes build into one .next folder. Keep the fingerprint in step with start.mjs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

process.chdir(path.resolve(import.meta.dirname, '..'));

function fingerprint() {
  const h = createHash('sha1');
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p); }
      else if (/\.(tsx?|css|json|mjs)$/.test(e.name) && !/\.test\./.test(e.name)) { const s = fs.statSync(p); h.update(`${p}:${s.size}:${s.mtimeMs}\n`); }
    }
  };
  for (const d of ['app', 'components', 'lib', 'engine', 'public']) walk(d);
  for (const f of ['package-lock.json', 'next.config.mjs', 'tsconfig.json']) if (fs.existsSync(f)) h.update(fs.readFileSync(f));
  return h.digest('hex');
}

const stamp = path.join('.next', 'patchbay-build.txt');
const fp = fingerprint();
if (fs.existsSync(path.join('.next', 'BUILD_ID')) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fp) process.exit(0);
console.log('[e2e] Building the web app …');
const r = spawnSync(process.execPath, [path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
if (r.status !== 0) process.exit(r.status ?? 1);
fs.writeFileSync(stamp, fp);
