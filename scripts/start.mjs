// `npm start`: builds the web app when its sources changed since the last build, then runs the server.
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

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
if (!fs.existsSync(path.join('.next', 'BUILD_ID')) || !fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== fp) {
  console.log('[patchbay] Building the web app (first start or changed sources) …');
  const r = spawnSync(process.execPath, [path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
  fs.writeFileSync(stamp, fp);
}
const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts', ...process.argv.slice(2)], { stdio: 'inherit', env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...process.env } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
