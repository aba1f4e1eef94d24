// One postgres.js pool per process (shared by the custom server and the Next.js route bundles via globalThis).
import postgres from 'postgres';
import { envValue } from '../config';

// Queries are plain postgres.js tagged SQL with their row types beside them (snake_case, as the SQL names the
// columns). drizzle is used for the schema (lib/db/schema.ts, the source of the migrations) and the migrator only:
// its query wrapper was never used and has been removed.
interface Holder { sql: postgres.Sql; url: string }
const g = globalThis as unknown as { __patchbayDb?: Holder };

/** `connection`: run-time parameters every connection starts with (e.g. synchronous_commit for the run recorder's). */
export function connect(url: string, max = envValue('PATCHBAY_DB_POOL') ?? 10, connection?: Record<string, string>): Holder {
  const sql = postgres(url, { max, onnotice: () => {}, idle_timeout: 60, connect_timeout: 15, ...(connection ? { connection } : {}) });
  clientTypes(sql);
  return { sql, url };
}

/**
 * Date and time columns come back as the server's text (what the code reading rows expects, e.g. `new Date(row.x)`
 * or the text passed through); Date parameters are sent as ISO 8601. (The same parsing the drizzle query wrapper
 * used to install on this client.)
 */
function clientTypes(sql: postgres.Sql): void {
  const { parsers, serializers } = sql.options as unknown as { parsers: Record<number, (x: string) => unknown>; serializers: Record<number, (x: unknown) => unknown> };
  const date = (x: unknown) => (x instanceof Date ? x.toISOString() : x);
  for (const type of [1184, 1082, 1083, 1114, 1182, 1185, 1115, 1231]) {
    parsers[type] = (x: string) => x;
    serializers[type] = date;
  }
  // json/jsonb parameters: text that is JSON already passes as it is (the run recorder sends bodies serialised once).
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

export async function closeDb(): Promise<void> {
  const h = g.__patchbayDb;
  g.__patchbayDb = undefined;
  await h?.sql.end({ timeout: 5 });
}
