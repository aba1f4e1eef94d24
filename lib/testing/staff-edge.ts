// For lib tests of the staff API: the edge (lib/api/edge.ts) over the staff routes on a free port, requests made
// over real HTTP like the staff app's, and sessions minted as next-auth mints them at sign-in.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type postgres from 'postgres';
import { createEdge } from '../api/edge';
import type { RouteDef } from '../api/route';
import { staffRoutes } from '../api/routes';
import { mintStaffSessionCookie } from '../auth/staff-session';
import { closeDb } from '../db/client';
import { EngineHost, setHost } from '../engine-host/host';
import { createScratchDb } from './scratch-db';

export interface StaffAnswer { status: number; json: any; text: string; headers: Headers; ms: number }
export interface StaffCall { params?: Record<string, string>; query?: string; body?: unknown; headers?: Record<string, string>; method?: string }

/** Percent-encodes every byte of the value's UTF-8 (a lone surrogate becomes U+FFFD, as a browser sends it). */
const encodeSegment = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

export async function startStaffEdge(sql: postgres.Sql, host: EngineHost, encryptionKey = Buffer.alloc(32, 7)) {
  process.env.NEXTAUTH_SECRET ??= `test-secret-${randomUUID()}`;
  const edge = createEdge(staffRoutes, { sql, host, encryptionKey });
  const server = http.createServer((req, res) => { if (!edge(req, res)) { res.writeHead(404); res.end(); } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let cookie: string | null = null;
  const cookies = new Map<string, string>();
  return {
    base,
    /** Acts as this staff user from now on (null: no session). */
    async as(user: { userId: string; vendorId: string; role?: 'owner' | 'editor' | 'viewer' } | null) {
      if (!user) { cookie = null; return; }
      let c = cookies.get(user.userId);
      if (!c) {
        c = await mintStaffSessionCookie({ userId: user.userId, vendorId: user.vendorId, role: user.role ?? 'owner', email: 'x@test', name: 'x', sid: randomUUID() });
        cookies.set(user.userId, c);
      }
      cookie = c;
    },
    async call(route: RouteDef, o: StaffCall = {}): Promise<StaffAnswer> {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeSegment(o.params?.[name] ?? ''));
      const headers: Record<string, string> = { ...o.headers };
      if (cookie) headers.cookie = cookie;
      let body: string | Buffer | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const t = Date.now();
      const res = await fetch(base + path + (o.query ?? ''), { method: o.method ?? route.method, headers, body: body as BodyInit | undefined, redirect: 'manual' });
      const text = await res.text();
      let json: any = null;
      try { json = text ? JSON.parse(text) : null; } catch { json = text; }
      return { status: res.status, json, text, headers: res.headers, ms: Date.now() - t };
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/**
 * What a staff-API test file stands on: a migrated scratch database (DATABASE_URL pointed at it), the engine host
 * on it, and the staff edge over it; `close()` takes it all down again.
 */
export async function startStaffTestbed(prefix: string) {
  const db = await createScratchDb(prefix);
  process.env.DATABASE_URL = db.url;
  const host = new EngineHost({ sql: db.sql, encryptionKey: Buffer.alloc(32, 7), flowTimeoutMs: 5000, allowPrivateHosts: false });
  setHost(host);
  const edge = await startStaffEdge(db.sql, host);
  return {
    db, host, edge,
    async close() {
      await edge.close();
      setHost(undefined);
      await host.close();
      await closeDb();
      await db.drop();
    },
  };
}
