// One postgres.js pool per process (shared by the custom server and the Next.js route bundles via globalThis).
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;

interface Holder { sql: postgres.Sql; db: Db; url: string }
const g = globalThis as unknown as { __patchbayDb?: Holder };

export function connect(url: string, max = Number(process.env.PATCHBAY_DB_POOL ?? 10)): Holder {
  const sql = postgres(url, { max, onnotice: () => {}, idle_timeout: 60, connect_timeout: 15 });
  return { sql, db: drizzle(sql, { schema }), url };
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
