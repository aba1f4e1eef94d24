// `npm run test:e2e`: runs every e2e/*.spec.ts in turn (each starts its own app on a fresh data folder, or uses
// E2E_BASE_URL + E2E_DATA_DIR), then prints the totals as "N passed, N failed" and exits non-zero on any failure.
// Screenshots and logs land in test-results/e2e/. `node e2e/run.mjs builder` runs only specs whose name matches.
// E2E_BUILD_LOCK=/path/to/lock: build the web app under that flock first (machines where several builds share .next).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const specs = fs.readdirSync(path.join(root, 'e2e')).filter((f) => f.endsWith('.spec.ts') && (!only.length || only.some((o) => f.includes(o)))).sort();

if (process.env.E2E_BUILD_LOCK && !process.env.E2E_BASE_URL) {
  const r = spawnSync('flock', [process.env.E2E_BUILD_LOCK, process.execPath, path.join(root, 'scripts', 'build-if-stale.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function runSpec(spec) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('e2e', spec)], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('exit', (code) => {
      const m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      resolve({ code: code ?? 1, passed: m ? Number(m[1]) : 0, failed: m ? Number(m[2]) : 1 });
    });
  });
}

let passed = 0; let failed = 0; let badExit = false;
for (const spec of specs) {
  console.log(`\n▶ e2e/${spec}`);
  const r = await runSpec(spec);
  passed += r.passed; failed += r.failed;
  if (r.code !== 0) badExit = true;
}
if (!specs.length) console.log('No e2e specs found');
fs.mkdirSync(path.join(root, 'test-results', 'e2e'), { recursive: true });
fs.writeFileSync(path.join(root, 'test-results', 'e2e', 'summary.json'), JSON.stringify({ passed, failed }));
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed || badExit || !specs.length ? 1 : 0);
