import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/patchbay.mjs', ...args], { encoding: 'utf8' });

describe('patchbay CLI', () => {
  it('runs a flow file and prints steps and the response', () => {
    const r = cli('run', 'engine/fixtures/caller-lookup.flow.json', '--input', 'examples/caller-event.json', '--contacts', 'examples/contacts.json', '--country', 'GB');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/3\. lookup\s+cdp\.lookup .*→ found/);
    expect(r.stdout).toContain('"firstName": "Ada"');
  });

  it('prints the JSON result with --json', () => {
    const r = cli('run', 'engine/fixtures/caller-lookup.flow.json', '--input', 'examples/caller-event.json', '--json');
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('succeeded');
    expect(out.response.body).toEqual({ found: false });
  });

  it('validate reports problems and exits 1', () => {
    const ok = cli('validate', 'engine/fixtures/caller-lookup.flow.json');
    expect(ok.status).toBe(0);
    const bad = cli('validate', 'package.json');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/automation/);
  });
});
