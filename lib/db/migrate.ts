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

export async function runMigrations(url: string, migrationsFolder = path.join(process.cwd(), 'drizzle')): Promise<void> {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as Journal;
  const latest = journal.entries.reduce((a, b) => (b.when > a.when ? b : a));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const [{ exists }] = await sql<{ exists: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
    const [applied] = exists ? await sql<{ at: string | null }[]>`select max(created_at)::text as at from drizzle.__drizzle_migrations` : [];
    const databaseMigratedAt = applied?.at ? Number(applied.at) : 0;
    if (databaseMigratedAt > latest.when) throw new SchemaTooNewError(databaseMigratedAt, latest.when, latest.tag);
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
