import { inject } from 'vitest';
import postgres from 'postgres';

export const baseUrl = () => inject('baseUrl');
export const apiKey = () => inject('apiKey');

export async function api(path: string, o: { method?: string; body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...o.headers };
  const key = o.key === undefined ? apiKey() : o.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined = o.rawBody;
  if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(baseUrl() + path, { method: o.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, body: json, headers: res.headers };
}

let sql: postgres.Sql | undefined;
/** Direct database access for arranging tenants the API has no endpoint for (vendors). */
export function db(): postgres.Sql {
  sql ??= postgres(inject('databaseUrl'), { max: 2, onnotice: () => {} });
  return sql;
}

export async function closeDbHelper(): Promise<void> {
  const s = sql;
  sql = undefined;
  await s?.end({ timeout: 2 });
}

/** Requests as a browser would make them (portal, OAuth, staff pages): no automatic redirects, cookies sent explicitly. */
export async function browse(p: string, o: { method?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.cookie) headers.cookie = o.cookie;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(p.startsWith('http') ? p : baseUrl() + p, { method: o.method ?? 'GET', headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), redirect: 'manual' });
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, body: json, text, headers: res.headers, location: res.headers.get('location'), setCookies: res.headers.getSetCookie() };
}
