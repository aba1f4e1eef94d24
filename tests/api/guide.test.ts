// The guide (docs/*.md) stays true: every ```bash block in it runs here, in reading order, against an installation
// the guide itself starts (its `npm start` block), and must exit 0. A block whose last line ends with
// `# runs until stopped: "<text>"` starts a long-running process (the app, an emulator): it runs in the background
// until it prints <text>, and is stopped after the last chapter. What the reader is told to set in their shell
// (PATCHBAY_URL, PATCHBAY_API_KEY, PATCHBAY_METRICS_TOKEN) the test sets; the app starts without the web UI here (PATCHBAY_NO_UI=1: the
// browser tests cover the UI), on a free port and a fresh data folder. `npm install` is shown as text: CI's `npm ci`
// has just run it, and reinstalling under the running test runner would pull node_modules from under it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase, dropScratchDatabase, freePort } from './server-process';

const docsDir = path.join(process.cwd(), 'docs');
const chapters = fs.readdirSync(docsDir).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();
const background: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-guide-'));
const productionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-guide-prod-'));
let productionDb = '';

afterAll(async () => {
  for (const p of background.reverse()) {
    if (p.exitCode !== null) continue;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(-p.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (p.exitCode === null) process.kill(-p.pid!, 'SIGKILL');
  }
  if (productionDb) await dropScratchDatabase(productionDb);
  for (const d of [dataDir, productionDir]) fs.rmSync(d, { recursive: true, force: true });
});

/** The ```bash blocks of a chapter, in order. */
function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe.skipIf(inject('dbKind') !== 'embedded')('the guide (docs/)', () => {
  let env: NodeJS.ProcessEnv;

  it('has its chapters in reading order, each with commands, linked from docs/README.md and the README', async () => {
    expect(chapters.length).toBeGreaterThanOrEqual(7);
    const index = fs.readFileSync(path.join(docsDir, 'README.md'), 'utf8');
    for (const c of chapters) expect(index).toContain(`(${c})`);
    expect(fs.readFileSync('README.md', 'utf8')).toContain('docs/README.md');
    const port = await freePort();
    const key = `pb_guide_${randomBytes(9).toString('hex')}`;
    env = {
      ...process.env, PORT: String(port), PATCHBAY_DATA_DIR: dataDir, PATCHBAY_NO_UI: '1', PATCHBAY_DEMO_CONTACTS: '500',
      PATCHBAY_DEMO_API_KEY: key, PATCHBAY_URL: `http://127.0.0.1:${port}`, PATCHBAY_API_KEY: key,
      PATCHBAY_METRICS_TOKEN: randomBytes(12).toString('hex'),
    };
    delete env.DATABASE_URL;
  });

  for (const chapter of chapters) {
    it(`every command in docs/${chapter} runs`, async () => {
      const blocks = bashBlocks(fs.readFileSync(path.join(docsDir, chapter), 'utf8'));
      let chapterEnv = env;
      if (chapter.startsWith('06-')) {
        // "Deploying to production": what that page tells the reader to export, on a database of its own.
        productionDb = await createScratchDatabase('patchbay_guide');
        const port = await freePort();
        chapterEnv = {
          ...env, PATCHBAY_MODE: 'production', DATABASE_URL: productionDb, PATCHBAY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
          NEXTAUTH_SECRET: randomBytes(32).toString('hex'), NEXTAUTH_URL: `http://127.0.0.1:${port}`, PORT: String(port),
          PATCHBAY_URL: `http://127.0.0.1:${port}`, PATCHBAY_DATA_DIR: productionDir,
        };
        delete chapterEnv.PATCHBAY_DEMO_API_KEY;
      }
      for (const block of blocks) {
        const waitFor = /# runs until stopped: "([^"]+)"\s*$/.exec(block.trimEnd())?.[1];
        if (waitFor) {
          let out = '';
          const p = spawn('bash', ['-c', block], { cwd: process.cwd(), env: chapterEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
          background.push(p);
          p.stdout!.on('data', (d) => (out += d));
          p.stderr!.on('data', (d) => (out += d));
          const end = Date.now() + 120_000;
          while (!out.includes(waitFor)) {
            if (p.exitCode !== null) throw new Error(`docs/${chapter}: "${block.trim()}" exited:\n${out}`);
            if (Date.now() > end) throw new Error(`docs/${chapter}: "${block.trim()}" did not print "${waitFor}":\n${out}`);
            await new Promise((r) => setTimeout(r, 200));
          }
          continue;
        }
        const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const p = spawn('bash', ['-euo', 'pipefail', '-c', block], { cwd: process.cwd(), env: chapterEnv, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          p.stdout.on('data', (d) => (out += d));
          p.stderr.on('data', (d) => (out += d));
          p.on('exit', (code) => resolve({ code, out }));
        });
        expect(r.code, `docs/${chapter}:\n${block}\n→\n${r.out}`).toBe(0);
      }
    }, 300_000);
  }
});
