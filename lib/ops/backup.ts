// Backup and restore through the driver (COPY), so they work on the embedded PostgreSQL, which ships no pg_dump,
// and on any server version. A backup is one REPEATABLE READ, READ ONLY transaction (a consistent snapshot while
// the app keeps answering) streamed table by table in COPY text format, gzip-compressed:
//   PATCHBAY-BACKUP 1
//   {"createdAt":…,"migrations":[{"hash","createdAt"}…],"tables":[{"table","columns"}…]}
//   @@TABLE <schema>.<name>
//   <COPY rows>
//   \.
//   … @@END
// Restore needs an empty database: it runs this version's migrations up to the backup's, lets pg-boss create its
// schema and queues, loads every table in foreign-key order, resets sequences, then migrates to this version.
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import PgBoss from 'pg-boss';
import postgres from 'postgres';
import { InvalidInput } from '../errors';
import { runMigrations, SchemaTooNewError } from '../db/migrate';

const MAGIC = 'PATCHBAY-BACKUP 1';
const SCHEMAS = ['public', 'drizzle', 'pgboss'];

interface TableInfo { table: string; columns: string[] }
interface Header { createdAt: string; migrations: { hash: string; createdAt: number }[]; tables: TableInfo[] }
export type Progress = (p: { table: string; rows: number; tableIndex: number; tables: number; bytes: number; done?: boolean }) => void;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (t: string) => t.split('.').map(ident).join('.');

async function listTables(sql: postgres.Sql | postgres.TransactionSql): Promise<TableInfo[]> {
  const rows = await sql<{ table: string; columns: string[] }[]>`
    select n.nspname || '.' || c.relname as table,
      array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum) as columns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p') and not c.relispartition
    order by 1`;
  return rows.map((r) => ({ table: r.table, columns: r.columns }));
}

/** Writes a consistent, compressed snapshot of the database to `out`; answers the row count per table. */
export async function backupDatabase(url: string, out: Writable, progress: Progress = () => {}): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const gzip = zlib.createGzip({ level: 1 });
  const piped = pipeline(gzip, out);
  let bytes = 0;
  const write = async (chunk: string | Buffer) => {
    bytes += chunk.length;
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  };
  const counts: Record<string, number> = {};
  try {
    await sql.begin('isolation level repeatable read read only', async (tx) => {
      const tables = await listTables(tx);
      const migrations = await tx<{ hash: string; created_at: string }[]>`select hash, created_at::text from drizzle.__drizzle_migrations order by created_at`;
      const header: Header = { createdAt: new Date().toISOString(), migrations: migrations.map((m) => ({ hash: m.hash, createdAt: Number(m.created_at) })), tables };
      await write(`${MAGIC}\n${JSON.stringify(header)}\n`);
      for (const [i, t] of tables.entries()) {
        await write(`@@TABLE ${t.table}\n`);
        const cols = t.columns.map(ident).join(', ');
        const stream = (await tx.unsafe(`copy (select ${cols} from ${qualified(t.table)}) to stdout`).readable()) as Readable;
        let rows = 0;
        let last = 0;
        // Events, never for-await (it destroys the stream at its end) or pause() (see 'end' below). The stream
        // flows; gzip at level 1 compresses faster than COPY produces here, so its buffer stays small.
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (chunk: Buffer) => {
            for (let k = 0; k < chunk.length; k++) if (chunk[k] === 10) rows++;
            bytes += chunk.length;
            gzip.write(chunk);
            if (Date.now() - last > 250) { last = Date.now(); progress({ table: t.table, rows, tableIndex: i, tables: tables.length, bytes }); }
          });
          // postgres.js pauses its socket whenever a push finds the buffer full and resumes it only from the stream's
          // read(): when the last rows arrive with the buffer full, the stream ends with the socket paused and the
          // COPY's completion still unread. Resume it once more at the end, through that same read().
          stream.once('end', () => { (stream as Readable & { _read(n: number): void })._read(0); resolve(); });
          stream.once('error', reject);
        });
        await write('\\.\n');
        counts[t.table] = rows;
        progress({ table: t.table, rows, tableIndex: i, tables: tables.length, bytes, done: true });
      }
      await write('@@END\n');
    });
    gzip.end();
    await piped;
    return counts;
  } catch (err) {
    gzip.destroy(err as Error);
    await piped.catch(() => {});
    throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** This version's migrations up to (and including) the backup's newest, in a folder of their own. */
function migrationsUpTo(createdAt: number, migrationsFolder: string): string {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  const known = journal.entries.map((e) => e.when);
  if (createdAt > Math.max(...known)) throw new SchemaTooNewError(createdAt, Math.max(...known), journal.entries.at(-1)!.tag);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-restore-'));
  fs.mkdirSync(path.join(dir, 'meta'));
  const entries = journal.entries.filter((e) => e.when <= createdAt);
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  for (const e of entries) fs.copyFileSync(path.join(migrationsFolder, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

/** Tables ordered so that every table comes after the tables its foreign keys point to. */
async function foreignKeyOrder(sql: postgres.Sql, tables: string[]): Promise<string[]> {
  const edges = await sql<{ child: string; parent: string }[]>`
    select cn.nspname || '.' || cc.relname as child, pn.nspname || '.' || pc.relname as parent
    from pg_constraint k
    join pg_class cc on cc.oid = k.conrelid join pg_namespace cn on cn.oid = cc.relnamespace
    join pg_class pc on pc.oid = k.confrelid join pg_namespace pn on pn.oid = pc.relnamespace
    where k.contype = 'f' and cn.nspname = any(${SCHEMAS})`;
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const e of edges) if (e.child !== e.parent && parents.has(e.child) && parents.has(e.parent)) parents.get(e.child)!.add(e.parent);
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string, stack: Set<string>) => {
    if (seen.has(t) || stack.has(t)) return;
    stack.add(t);
    for (const p of parents.get(t) ?? []) visit(p, stack);
    seen.add(t);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return ordered;
}

/** Loads a backup into an empty database at `url` and migrates it to this version. */
export async function restoreDatabase(url: string, input: Readable, progress: Progress = () => {}, migrationsFolder = path.join(process.cwd(), 'drizzle')): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const lines = readline.createInterface({ input: input.pipe(zlib.createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async () => { const r = await lines.next(); return r.done ? null : r.value; };
  let tmpMigrations = '';
  try {
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from pg_tables where schemaname in ('public', 'pgboss')`;
    if (n > 0) throw new InvalidInput('The target database is not empty: restore into a new database (or a new PATCHBAY_DATA_DIR)', ['database'], {}, 'database_not_empty');
    if ((await next()) !== MAGIC) throw new InvalidInput('This file is not a Patchbay backup', ['file'], {}, 'not_a_backup');
    const header = JSON.parse((await next()) ?? '{}') as Header;
    const backupAt = Math.max(0, ...header.migrations.map((m) => m.createdAt));
    tmpMigrations = migrationsUpTo(backupAt, migrationsFolder);
    await runMigrations(url, tmpMigrations);
    // pg-boss creates its own schema (same version as the one that wrote the backup's rows).
    const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 1, supervise: false, schedule: false, migrate: true });
    boss.on('error', () => {});
    await boss.start();
    await boss.stop({ graceful: false, wait: true });

    const byName = new Map(header.tables.map((t) => [t.table, t]));
    const order = await foreignKeyOrder(sql, header.tables.map((t) => t.table));
    const counts: Record<string, number> = {};
    // Sections arrive in the backup's order; each is loaded into a staging table, then copied in FK order.
    await sql.begin(async (tx) => {
      await tx`truncate pgboss.version`;
      let line = await next();
      let bytes = 0;
      const staged: string[] = [];
      while (line !== null && line !== '@@END') {
        if (!line.startsWith('@@TABLE ')) throw new InvalidInput(`The backup is damaged near "${line.slice(0, 40)}"`, ['file'], {}, 'backup_damaged');
        const table = line.slice(8);
        const info = byName.get(table);
        if (!info) throw new InvalidInput(`The backup names a table it did not list: ${table}`, ['file'], {}, 'backup_damaged');
        const stage = `restore_${staged.length}`;
        await tx.unsafe(`create temp table ${stage} as select ${info.columns.map(ident).join(', ')} from ${qualified(table)} with no data`);
        const w = (await tx.unsafe(`copy ${stage} (${info.columns.map(ident).join(', ')}) from stdin`).writable()) as Writable;
        let rows = 0;
        let last = 0;
        for (line = await next(); line !== null && line !== '\\.'; line = await next()) {
          rows++;
          bytes += line.length + 1;
          if (!w.write(line + '\n')) await once(w, 'drain');
          if (Date.now() - last > 250) { last = Date.now(); progress({ table, rows, tableIndex: staged.length, tables: header.tables.length, bytes }); }
        }
        w.end();
        await once(w, 'finish');
        staged.push(table);
        counts[table] = rows;
        progress({ table, rows, tableIndex: staged.length - 1, tables: header.tables.length, bytes, done: true });
        line = await next();
      }
      if (line !== '@@END') throw new InvalidInput('The backup ends early (cut off while it was written or copied?)', ['file'], {}, 'backup_damaged');
      const stageOf = (t: string) => `restore_${staged.indexOf(t)}`;
      // pg-boss queues own a partition each: made by its create_queue, then the rows' own values put back.
      if (staged.includes('pgboss.queue')) {
        await tx.unsafe(`select pgboss.create_queue(name, json_build_object('policy', policy, 'retryLimit', retry_limit, 'retryDelay', retry_delay,
          'retryBackoff', retry_backoff, 'expireInSeconds', expire_seconds, 'retentionMinutes', retention_minutes, 'deadLetter', dead_letter))
          from ${stageOf('pgboss.queue')} order by dead_letter is not null, name`);
        await tx.unsafe(`update pgboss.queue q set created_on = s.created_on, updated_on = s.updated_on from ${stageOf('pgboss.queue')} s where q.name = s.name`);
      }
      for (const table of order) {
        if (!staged.includes(table) || table === 'pgboss.queue' || table === 'drizzle.__drizzle_migrations') continue;
        const cols = byName.get(table)!.columns.map(ident).join(', ');
        await tx.unsafe(`insert into ${qualified(table)} (${cols}) overriding system value select ${cols} from ${stageOf(table)}`);
      }
      // Sequences behind serial columns continue after the restored rows.
      await tx.unsafe(`
        do $$ declare r record; begin
          for r in select s.oid::regclass::text as seq, t.oid::regclass::text as tbl, a.attname as col
            from pg_class s join pg_depend d on d.objid = s.oid and d.deptype in ('a', 'i')
            join pg_class t on t.oid = d.refobjid join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
            join pg_namespace n on n.oid = t.relnamespace
            where s.relkind = 'S' and n.nspname in ('public', 'pgboss')
          loop
            execute format('select setval(%L, coalesce((select max(%I) from %s), 0) + 1, false)', r.seq, r.col, r.tbl);
          end loop;
        end $$`);
    });
    // Then up to this version, as any upgrade.
    await runMigrations(url, migrationsFolder);
    return counts;
  } finally {
    lines.return?.();
    if (tmpMigrations) fs.rmSync(tmpMigrations, { recursive: true, force: true });
    await sql.end({ timeout: 5 });
  }
}
