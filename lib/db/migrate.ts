// Applies drizzle/ migrations under an advisory lock, so several processes starting at once are safe, and refuses
// to run against a database that a newer Patchbay already migrated (an old process must not write a schema it
// does not know).
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';

const MIGRATION_LOCK = 727274;
/** Held while the demo tenant is seeded: two processes starting together on an empty database seed it once. */
export const SEED_LOCK = 727275;
/** Held while a process sets up its job engine (pg-boss queues and schedules). */
export const BOOT_LOCK = 727276;

/** The database holds migrations this code does not have: started by an older Patchbay than the one that migrated it. */
export class SchemaTooNewError extends Error {
  constructor(readonly databaseMigratedAt: number, readonly codeKnowsUpTo: number, readonly latestTag: string) {
    super(`The database was migrated by a newer Patchbay (its latest migration is from ${new Date(databaseMigratedAt).toISOString()}; `
      + `this version knows migrations up to ${latestTag}, ${new Date(codeKnowsUpTo).toISOString()}). `
      + 'Upgrade this process to the version the other processes run; it stops here so it cannot write data the new schema does not expect.');
    this.name = 'SchemaTooNewError';
  }
}

interface Journal { entries: { idx: number; when: number; tag: string }[] }

function latestMigration(migrationsFolder: string): { when: number; tag: string } {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return journal.entries.reduce((a, b) => (b.when > a.when ? b : a));
}

/** When the database's newest applied migration was made (0 when none was applied). */
async function databaseMigratedAt(sql: postgres.Sql): Promise<number> {
  const [{ exists }] = await sql<{ exists: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
  if (!exists) return 0;
  const [applied] = await sql<{ at: string | null }[]>`select max(created_at)::text as at from drizzle.__drizzle_migrations`;
  return applied?.at ? Number(applied.at) : 0;
}

let codeLatest: { when: number; tag: string } | undefined;
/** For readiness: does the database hold exactly the migrations this code knows? */
export async function schemaIsCurrent(sql: postgres.Sql, migrationsFolder = path.join(process.cwd(), 'drizzle')): Promise<boolean> {
  codeLatest ??= latestMigration(migrationsFolder);
  return (await databaseMigratedAt(sql)) === codeLatest.when;
}

export async function runMigrations(url: string, migrationsFolder = path.join(process.cwd(), 'drizzle')): Promise<void> {
  const latest = latestMigration(migrationsFolder);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const migratedAt = await databaseMigratedAt(sql);
    if (migratedAt > latest.when) throw new SchemaTooNewError(migratedAt, latest.when, latest.tag);
    await migrate(drizzle(sql), { migrationsFolder });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await sql.end();
  }
}

/** Runs `fn` while holding a session advisory lock on one reserved connection of `sql`. */
export async function withAdvisoryLock<T>(sql: postgres.Sql, key: number, fn: () => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(${key})`;
    try {
      return await fn();
    } finally {
      await conn`select pg_advisory_unlock(${key})`.catch(() => {});
    }
  } finally {
    conn.release();
  }
}
