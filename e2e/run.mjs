// `npm run test:e2e`: runs every e2e/*.spec.ts in turn (each starts its own app on a fresh data folder)
// and exits non-zero if any failed. Screenshots and logs land in test-results/e2e/.
// E2E_BUILD_LOCK=/path/to/lock: build the web app under that flock first (machines where several builds share .next).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const specs = fs.readdirSync(path.join(root, 'e2e')).filter((f) => f.endsWith('.spec.ts') && (!only.length || only.some((o) => f.includes(o)))).sort();

if (process.env.E2E_BUILD_LOCK && !process.env.E2E_BASE_URL) {
  const r = spawnSync('flock', [process.env.E2E_BUILD_LOCK, process.execPath, path.join(root, 'e2e', 'build-if-stale.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let failedSpecs = 0;
for (const spec of specs) {
  console.log(`\n▶ e2e/${spec}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('e2e', spec)], { stdio: 'inherit', cwd: root, env: process.env });
  if (r.status !== 0) failedSpecs++;
}
console.log(`\n${specs.length - failedSpecs} spec file(s) passed, ${failedSpecs} failed`);
process.exit(failedSpecs ? 1 : 0);
