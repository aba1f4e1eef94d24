// `npm run test:e2e`: the browser tests on Playwright's test runner (playwright.config.ts; the app is started by
// e2e/global-setup.ts, or E2E_BASE_URL + E2E_DATA_DIR point at a running one). Prints "N passed, N failed" from
// Playwright's JSON report (tests skipped because an earlier step of their chain failed count as failed) and
// writes test-results/e2e/summary.json for `npm test`. Traces and screenshots of failures: test-results/e2e/artifacts
// (`npx playwright show-trace <trace.zip>`). `node e2e/run.mjs routing` runs only the specs whose file name matches.
// E2E_BUILD_LOCK=/path/to/lock: build the web app under that flock first (machines where several builds share .next).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const outDir = path.join(root, 'test-results', 'e2e');

if (process.env.E2E_BUILD_LOCK && !process.env.E2E_BASE_URL) {
  const r = spawnSync('flock', [process.env.E2E_BUILD_LOCK, process.execPath, path.join(root, 'scripts', 'build-if-stale.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

fs.mkdirSync(outDir, { recursive: true });
const report = path.join(outDir, 'results.json');
fs.rmSync(report, { force: true });
const cli = path.join(root, 'node_modules', '@playwright', 'test', 'cli.js');
const run = spawnSync(process.execPath, [cli, 'test', ...only], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });

let passed = 0; let failed = 0;
const failures = [];
/** Titles of the tests that failed, from the report's suites (nested by file and describe). */
const collect = (suite, prefix) => {
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      if (t.status === 'unexpected') {
        const err = t.results?.at(-1)?.error?.message ?? '';
        failures.push(`${spec.file}:${spec.line} › ${[...prefix, spec.title].join(' › ')} — ${err.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0].slice(0, 300)}`);
      }
    }
  }
  for (const s of suite.suites ?? []) collect(s, s.title && !s.title.endsWith('.ts') ? [...prefix, s.title] : prefix);
};
try {
  const { stats, suites } = JSON.parse(fs.readFileSync(report, 'utf8'));
  for (const s of suites ?? []) collect(s, []);
  passed = stats.expected + stats.flaky;
  failed = stats.unexpected + (stats.unexpected ? stats.skipped : 0);
  if (!passed && !failed) failed = 1; // nothing ran: setup failed or no spec matched
} catch {
  failed = 1;
}
fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ passed, failed, failures }));
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed || run.status !== 0 ? 1 : 0);
