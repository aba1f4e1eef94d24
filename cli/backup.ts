// `npx patchbay backup FILE` and `npx patchbay restore FILE` (lib/ops/backup.ts does the work).
// backup: the database is DATABASE_URL, else the running app's embedded one ($PATCHBAY_DATA_DIR/runtime.json).
// restore: into DATABASE_URL (an empty database), else into a new embedded database in $PATCHBAY_DATA_DIR, which
// this command starts and stops itself (keep that folder's secrets.json, or set PATCHBAY_ENCRYPTION_KEY, to read
// the restored connections).
import fs from 'node:fs';
import path from 'node:path';
import { readConfig } from '../lib/config';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { backupDatabase, restoreDatabase, type Progress } from '../lib/ops/backup';
import { loadSecrets } from '../lib/secrets';
import { databaseUrl } from './sync';

const tty = process.stderr.isTTY;
const progress: Progress = (p) => {
  const line = `  ${p.done ? '✓' : '…'} ${p.table.padEnd(36)} ${String(p.rows).padStart(9)} rows   table ${p.tableIndex + 1}/${p.tables}   ${(p.bytes / 1e6).toFixed(1)} MB`;
  if (tty) process.stderr.write(`\r\x1b[2K${line}${p.done ? '\n' : ''}`);
  else if (p.done) process.stderr.write(`${line}\n`);
};

export async function backupCommand(file: string): Promise<number> {
  const t0 = Date.now();
  const out = fs.createWriteStream(`${file}.partial`, { mode: 0o600 });
  const counts = await backupDatabase(databaseUrl(), out, progress);
  fs.renameSync(`${file}.partial`, file); // a file named FILE is always a whole backup
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`Backup written to ${file}: ${Object.keys(counts).length} tables, ${rows} rows, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB compressed, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

export async function restoreCommand(file: string): Promise<number> {
  if (!fs.existsSync(file)) { console.error(`No such backup file: ${file}`); return 2; }
  const t0 = Date.now();
  const cfg = readConfig();
  let stop = async () => {};
  let url = cfg.databaseUrl;
  if (!url) {
    const embedded = await startEmbeddedPostgres(cfg.dataDir, loadSecrets(cfg).embeddedDbPassword, (m) => console.error(m));
    url = embedded.url;
    stop = () => embedded.stop();
    console.error(`Restoring into the embedded database in ${path.join(cfg.dataDir, 'postgres')}`);
  }
  try {
    const counts = await restoreDatabase(url, fs.createReadStream(file), progress);
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`Restored ${file}: ${Object.keys(counts).length} tables, ${rows} rows, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await stop();
  }
}
