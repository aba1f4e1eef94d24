// One postgres.js pool per process (shared by the custom server and the Next.js route bundles via globalThis).
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema';
import { envValue } from '../config';

export type Db = PostgresJsDatabase<typeof schema>;

interface Holder { sql: postgres.Sql; db: Db; url: string }
const g = globalThis as unknown as { __patchbayDb?: Holder };

/** `connection`: run-time parameters every connection starts with (e.g. synchronous_commit for the run recorder's). */
export function connect(url: string, max = envValue('PATCHBAY_DB_POOL') ?? 10, connection?: Record<string, string>): Holder {
  const sql = postgres(url, { max, onnotice: () => {}, idle_timeout: 60, connect_timeout: 15, ...(connection ? { connection } : {}) });
  const db = drizzle(sql, { schema });
  restoreSerializers(sql);
  return { sql, db, url };
}

/**
 * drizzle's postgres-js driver makes the client it wraps pass date and json parameters through untouched
 * (it serialises them itself), which breaks plain `sql` queries on the same client: a Date parameter fails
 * with "argument must be of type string", an object for a json parameter likewise. Parameters serialise as
 * postgres.js does by default again; strings still pass through, so drizzle's own queries are unaffected.
 * (Results keep drizzle's parsing: timestamps come back as text.)
 */
function restoreSerializers(sql: postgres.Sql): void {
  const serializers = (sql.options as unknown as { serializers: Record<number, (x: unknown) => unknown> }).serializers;
  const date = (x: unknown) => (x instanceof Date ? x.toISOString() : x);
  for (const type of [1184, 1082, 1083, 1114, 1182, 1185, 1115, 1231]) serializers[type] = date;
  const json = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
  serializers[114] = json;
  serializers[3802] = json;
}

function holder(): Holder {
  if (!g.__patchbayDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set (the server sets it after starting the database)');
    g.__patchbayDb = connect(url);
  }
  return g.__patchbayDb;
}

export function getSql(): postgres.Sql { return holder().sql; }
export function getDb(): Db { return holder().db; }

export async function closeDb(): Promise<void> {
  const h = g.__patchbayDb;
  g.__patchbayDb = undefined;
  await h?.sql.end({ timeout: 5 });
}
