// patchbay CLI: run a flow file locally with in-memory ports, printing the result and each step; start a
// contact sync in the running installation and follow its progress (cli/sync.ts).
//   npx patchbay run flow.json --input event.json [--contacts contacts.json] [--country US] [--json]
//   npx patchbay sync --customer demo --source hubspot [--full] [--two-way|--one-way] [--conflict-rule newest]
//   npx patchbay rotate-key   (re-encrypt stored credentials under a new key: cli/rotate-key.ts)
//   npx patchbay vendor create --slug acme --name "Acme Telecom" --owner-email ops@acme.example
//   npx patchbay backup FILE | npx patchbay restore FILE   (cli/backup.ts)
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { compileFlow, registry, runFlow, validateFlow } from '../engine';
import { createMemoryCdp } from '../engine/testing/memory-cdp';
import { createTestContext } from '../engine/testing/run-fixture';

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`Cannot read ${what} ${file}: ${(err as Error).message}`);
    process.exit(2);
  }
}

const color = (c: number, s: string) => (process.stdout.isTTY ? `\x1b[${c}m${s}\x1b[0m` : s);

async function main() {
  if (process.argv[2] === 'sync') {
    const { values: o } = parseArgs({
      args: process.argv.slice(3),
      options: { customer: { type: 'string' }, source: { type: 'string' }, vendor: { type: 'string' }, full: { type: 'boolean', default: false }, 'allow-mass-delete': { type: 'boolean', default: false }, 'no-wait': { type: 'boolean', default: false }, 'two-way': { type: 'boolean' }, 'one-way': { type: 'boolean' }, 'conflict-rule': { type: 'string' } },
    });
    const { syncCommand } = await import('./sync');
    process.exit(await syncCommand({ customer: o.customer, source: o.source, vendor: o.vendor, full: o.full, allowMassDelete: o['allow-mass-delete'], wait: !o['no-wait'], direction: o['two-way'] ? 'two_way' : o['one-way'] ? 'one_way' : undefined, conflictRule: o['conflict-rule'] }));
  }
  if (process.argv[2] === 'rotate-key') {
    const { rotateKeyCommand } = await import('./rotate-key');
    try {
      process.exit(await rotateKeyCommand(process.argv.slice(3)));
    } catch (err) {
      console.error(color(31, `rotate-key stopped: ${(err as Error).message} (every credential is still readable; run it again)`));
      process.exit(1);
    }
  }
  if (process.argv[2] === 'vendor') {
    const { positionals: p, values: o } = parseArgs({
      args: process.argv.slice(3),
      allowPositionals: true,
      options: { slug: { type: 'string' }, name: { type: 'string' }, 'owner-email': { type: 'string' }, 'owner-name': { type: 'string' }, password: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const { vendorCommand } = await import('./vendor');
    process.exit(await vendorCommand({ action: p[0], slug: o.slug, name: o.name, ownerEmail: o['owner-email'], ownerName: o['owner-name'], password: o.password, json: o.json }));
  }
  if (process.argv[2] === 'backup' || process.argv[2] === 'restore') {
    const file = process.argv[3];
    if (!file) { console.error(`usage: patchbay ${process.argv[2]} <file>`); process.exit(2); }
    const { backupCommand, restoreCommand } = await import('./backup');
    try {
      process.exit(await (process.argv[2] === 'backup' ? backupCommand(file) : restoreCommand(file)));
    } catch (err) {
      console.error(color(31, `${process.argv[2]} failed: ${(err as Error).message}`));
      process.exit(1);
    }
  }
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      contacts: { type: 'string' },
      country: { type: 'string', default: 'US' },
      options: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [command, file] = positionals;
  if (command === 'validate' && file) {
    const { issues } = validateFlow(readJson(file, 'flow'), registry);
    if (!issues.length) { console.log(color(32, '✓ valid')); return; }
    for (const i of issues) console.log(color(31, '✗'), i.path.join('.'), '—', i.message);
    process.exit(1);
  }
  if (command !== 'run' || !file) {
    console.error('usage: patchbay run <flow.json> [--input event.json] [--contacts contacts.json] [--country US] [--options options.json] [--json]\n       patchbay validate <flow.json>\n       patchbay sync --customer <id> --source <crm> [--full]\n       patchbay vendor create --slug <slug> --name <name> --owner-email <email>\n       patchbay backup <file> | patchbay restore <file>\n       patchbay rotate-key');
    process.exit(2);
  }
  const flow = readJson(file, 'flow');
  const input = values.input ? readJson(values.input, 'input') : {};
  let compiled;
  try { compiled = compileFlow(flow, registry); } catch (err) { console.error(color(31, (err as Error).message)); process.exit(1); }
  const cdp = createMemoryCdp(values.country);
  if (values.contacts) await cdp.upsert(readJson(values.contacts, 'contacts') as never);
  const ctx = createTestContext({ cdp, customer: { id: 'cli', defaultCountry: values.country! }, options: values.options ? (readJson(values.options, 'options') as Record<string, unknown>) : {} });
  ctx.mode = 'test';
  const result = await runFlow(compiled, input, ctx);
  if (values.json) { console.log(JSON.stringify(result, null, 2)); process.exit(result.status === 'failed' ? 1 : 0); }
  const total = result.steps.reduce((a, s) => a + s.durationMs, 0) || 1;
  for (const s of result.steps) {
    const bar = '█'.repeat(Math.max(1, Math.round((s.durationMs / total) * 30)));
    const mark = s.status === 'failed' ? color(31, '✗') : s.status === 'suspended' ? color(33, '⏸') : color(32, '✓');
    console.log(`${mark} ${s.seq}. ${s.nodeId.padEnd(20)} ${s.blockId.padEnd(22)} ${s.durationMs.toFixed(2).padStart(8)} ms ${color(36, bar)}${s.port ? `  → ${s.port}` : ''}`);
    if (s.error) console.log('   ', color(31, s.error.message));
  }
  console.log(`\nstatus: ${result.status}  (${result.durationMs.toFixed(2)} ms)`);
  if (result.response) console.log(`response ${result.response.status}:\n${JSON.stringify(result.response.body, null, 2)}`);
  if (result.error) console.log(color(31, `error: ${result.error.message}`));
  process.exit(result.status === 'failed' ? 1 : 0);
}

void main();
