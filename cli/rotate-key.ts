// `npx patchbay rotate-key`: re-encrypts every stored credential under the current encryption key while the app
// runs (lib/connections/rotate-credentials.ts), showing progress. Safe to stop or crash at any point and run again.
//  - Environment keys (production): set PATCHBAY_ENCRYPTION_KEY = the new key and PATCHBAY_ENCRYPTION_KEY_PREVIOUS =
//    the old one on every process, restart them, run this; when it reports done, drop _PREVIOUS and restart again.
//  - Demo mode (key in $PATCHBAY_DATA_DIR/secrets.json): this generates the new key and writes secrets.json with
//    both (the running app takes them within seconds), re-encrypts, then writes secrets.json with the new key only.
//    A re-run after a crash finds both keys in the file and resumes.
// The database is DATABASE_URL, else the one the running app named in runtime.json (as `patchbay sync`).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { decodeKey, readConfig } from '../lib/config';
import { rotateCredentials, type RotationProgress } from '../lib/connections/rotate-credentials';
import { keyId, keyring, type EncryptionKeys } from '../lib/crypto/credentials';
import { KEY_FILE_RECHECK_MS, writeSecretsFile } from '../lib/secrets';
import { databaseUrl } from './sync';

const tty = process.stdout.isTTY;
const color = (c: number, s: string) => (tty ? `\x1b[${c}m${s}\x1b[0m` : s);
const fail = (message: string): number => { console.error(color(31, message)); return 1; };

function progressLine(p: RotationProgress, width = 30): string {
  const f = p.total ? Math.min(1, p.rotated / p.total) : 1;
  const full = Math.round(f * width);
  return `${color(36, '█'.repeat(full) + '░'.repeat(width - full))} ${String(Math.round(f * 100)).padStart(3)}%  re-encrypted ${p.rotated}/${p.total}${p.unreadable.length ? ` · unreadable ${p.unreadable.length}` : ''}`;
}

export async function rotateKeyCommand(args: string[]): Promise<number> {
  const { values: o } = parseArgs({ args, options: { 'crash-after': { type: 'string' } } });
  // For tests only: die like a crash (SIGKILL, no clean-up) after this many rows.
  const crashAfter = o['crash-after'] === undefined ? null : Number(o['crash-after']);
  const cfg = readConfig();
  const file = path.join(cfg.dataDir, 'secrets.json');
  let keys: EncryptionKeys;
  let stored: Record<string, string> | null = null;
  if (cfg.secrets.encryptionKey) {
    const current = decodeKey(cfg.secrets.encryptionKey)!;
    const previous = cfg.secrets.previousEncryptionKey ? decodeKey(cfg.secrets.previousEncryptionKey) : null;
    keys = keyring(current, previous);
    console.log(`Current key ${keyId(current)} (PATCHBAY_ENCRYPTION_KEY)${previous ? `, previous key ${keyId(previous)} (PATCHBAY_ENCRYPTION_KEY_PREVIOUS)` : ''}.`);
    if (!previous) console.log('PATCHBAY_ENCRYPTION_KEY_PREVIOUS is not set: only credentials in the older format are rewritten.');
  } else if (cfg.mode === 'production') {
    return fail('PATCHBAY_ENCRYPTION_KEY is not set: in production set it to the new key and PATCHBAY_ENCRYPTION_KEY_PREVIOUS to the old one (README, Operations).');
  } else {
    if (!fs.existsSync(file)) return fail(`${file} does not exist: start Patchbay once (npm start) before rotating its key`);
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    const old = stored.encryptionKey ? decodeKey(stored.encryptionKey) : null;
    if (!old) return fail(`${file} holds no valid encryptionKey`);
    if (stored.previousEncryptionKey) {
      console.log(`Resuming the rotation begun earlier: ${file} holds the new key ${keyId(old)} and the previous one.`);
    } else {
      const next = randomBytes(32);
      stored = { ...stored, encryptionKey: next.toString('hex'), previousEncryptionKey: stored.encryptionKey };
      writeSecretsFile(file, stored);
      console.log(`New key ${keyId(next)} written to ${file} beside the previous one ${keyId(old)}; letting running processes take it…`);
      // Running processes re-read secrets.json at most KEY_FILE_RECHECK_MS after it changed: after this wait they
      // all write under the new key, so no credential is written under the old one behind the pass below.
      await new Promise((r) => setTimeout(r, 2 * KEY_FILE_RECHECK_MS + 500));
    }
    keys = keyring(decodeKey(stored.encryptionKey)!, decodeKey(stored.previousEncryptionKey));
  }

  const sql = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
  try {
    let lastPrinted = 0;
    const t0 = Date.now();
    const result = await rotateCredentials(sql, keys, (p) => {
      if (tty) process.stdout.write(`\r${progressLine(p)}`);
      else if (p.rotated - lastPrinted >= Math.max(1, Math.ceil(p.total / 20))) { lastPrinted = p.rotated; console.log(progressLine(p)); }
      if (crashAfter !== null && p.rotated >= crashAfter) process.kill(process.pid, 'SIGKILL');
    });
    if (tty) process.stdout.write('\n');
    console.log(`${progressLine(result)}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (result.unreadable.length) {
      return fail(`${result.unreadable.length} connection(s) open under neither key (${result.unreadable.slice(0, 5).join(', ')}${result.unreadable.length > 5 ? ' …' : ''}): they were left as they are; their customers must reconnect. The previous key is kept.`);
    }
    if (result.remaining) {
      return fail(`${result.remaining} credential(s) were written under another key while this ran (a process without the new key?): restart every process with the new key, then run rotate-key again.`);
    }
    if (stored) {
      const { previousEncryptionKey: _done, ...rest } = stored;
      writeSecretsFile(file, rest);
      console.log(color(32, `✓ Every credential is under key ${keyId(keys.current())}; the previous key is removed from ${file}.`));
    } else {
      console.log(color(32, `✓ Every credential is under key ${keyId(keys.current())}. Now remove PATCHBAY_ENCRYPTION_KEY_PREVIOUS from every process's environment and restart them.`));
    }
    return 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
