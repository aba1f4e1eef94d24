// Builds the web app when its sources changed since the last build (a fingerprint of app/, components/, lib/,
// engine/, public/ and the lockfile is kept in .next/patchbay-build.txt). Used by `npm start` and the e2e runner;
// run directly (`node scripts/build-if-stale.mjs`) it builds and exits.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fingerprint() {
  const h = createHash('sha1');
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p); }
      else if (/\.(tsx?|css|json|mjs)$/.test(e.name) && !/\.test\./.test(e.name)) { const s = fs.statSync(p); h.update(`${path.relative(root, p)}:${s.size}:${s.mtimeMs}\n`); }
    }
  };
  for (const d of ['app', 'components', 'lib', 'engine', 'public']) walk(path.join(root, d));
  for (const f of ['package-lock.json', 'next.config.mjs', 'tsconfig.json']) if (fs.existsSync(path.join(root, f))) h.update(fs.readFileSync(path.join(root, f)));
  return h.digest('hex');
}

/** Returns the exit status of the build (0 when nothing had to be built). */
export function buildIfStale(log = (m) => console.log(m)) {
  const stamp = path.join(root, '.next', 'patchbay-build.txt');
  const fp = fingerprint();
  if (fs.existsSync(path.join(root, '.next', 'BUILD_ID')) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fp) return 0;
  log('[patchbay] Building the web app (first start or changed sources) …');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { stdio: 'inherit', cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) return r.status ?? 1;
  fs.writeFileSync(stamp, fp);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(buildIfStale());
