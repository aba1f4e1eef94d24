// `npm test`: every suite in order — types, lint (eslint.config.mjs), unit (engine, connectors against their emulators, lib),
// the API against a running server on the embedded PostgreSQL and on a real PostgreSQL server,
// then the browser end-to-end test. Prints "N passed, N failed" at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const only = process.argv.slice(2);
const results = [];
let passed = 0, failed = 0;

function run(name, cmd, args, env = {}) {
  if (only.length && !only.includes(name)) return true;
  console.log(`\n━━ ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
  return ok;
}

function vitest(name, project, env = {}) {
  if (only.length && !only.includes(name)) return true;
  const out = path.join('test-results', `${name}.json`);
  fs.rmSync(out, { force: true });
  fs.mkdirSync('test-results', { recursive: true });
  const ok = run(name, process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile=${out}`], env);
  try {
    const j = JSON.parse(fs.readFileSync(out, 'utf8'));
    passed += j.numPassedTests; failed += j.numFailedTests + (j.numFailedTestSuites ?? 0);
  } catch { if (!ok) failed++; }
  return ok;
}

function reachable(url) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const s = net.connect(Number(u.port || 5432), u.hostname);
    s.once('connect', () => { s.end(); resolve(true); });
    s.once('error', () => resolve(false));
    setTimeout(() => { s.destroy(); resolve(false); }, 2000);
  });
}

const pgAdmin = process.env.PATCHBAY_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let ok = run('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']);
ok = run('lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']) && ok;
if (!ok) failed++;
ok = vitest('unit', 'unit', { PATCHBAY_TEST_PG_ADMIN_URL: pgAdmin }) && ok;
ok = vitest('api-embedded', 'api', { PATCHBAY_TEST_DB: 'embedded' }) && ok;
if (await reachable(pgAdmin)) ok = vitest('api-postgres', 'api', { PATCHBAY_TEST_DB: 'url', PATCHBAY_TEST_PG_ADMIN_URL: pgAdmin }) && ok;
else { console.log(`\n!! No PostgreSQL server at ${pgAdmin}: the API suite on a real server was not run (set PATCHBAY_TEST_PG_ADMIN_URL).`); results.push({ name: 'api-postgres', ok: false, seconds: '0' }); failed++; ok = false; }
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (fs.existsSync('e2e/run.mjs') && !fs.existsSync(chromium) && (!only.length || only.includes('e2e'))) {
  console.log(`\n!! The browser end-to-end test needs Chromium at ${chromium} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH): skipped.`);
  results.push({ name: 'e2e (skipped: no Chromium)', ok: true, seconds: '0' });
} else if (fs.existsSync('e2e/run.mjs') && (!only.length || only.includes('e2e'))) {
  const summary = path.join('test-results', 'e2e', 'summary.json');
  fs.rmSync(summary, { force: true });
  const e2e = run('e2e', process.execPath, ['e2e/run.mjs']);
  if (fs.existsSync(summary)) { const s = JSON.parse(fs.readFileSync(summary, 'utf8')); passed += s.passed; failed += s.failed; }
  else if (!e2e) failed++;
  ok = e2e && ok;
}

console.log('\n━━ summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
