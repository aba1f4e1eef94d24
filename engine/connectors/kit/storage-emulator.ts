// The plumbing of the cloud-storage emulators (Dropbox, Google Drive, Box, OneDrive): a real HTTP server on
// loopback whose handlers read request bodies themselves, so an uploaded chunk streams to a file on disk and is
// hashed on the way instead of being held in memory; Bearer tokens (static, or issued by the vendor's OAuth token
// endpoint with refresh); a request budget and injected 429s with Retry-After in the vendor's error shape.
// The shared emulator-server reads every body into a string, which is right for JSON APIs but not for 50 MB of audio.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StorageEmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  /** The bearer token the request carried (null on public paths such as pre-authenticated upload URLs). */
  token: string | null;
  /** The unread body: handlers stream it (`receive`) or read it small (`text`, `json`). */
  raw: IncomingMessage;
  text(limit?: number): Promise<string>;
  json<T = any>(): Promise<T>;
}

export interface StorageEmuResponse { status: number; body?: unknown; headers?: Record<string, string> }

export class StorageEmuError extends Error {
  constructor(readonly response: StorageEmuResponse) { super(`emulated error ${response.status}`); }
}

export type StorageEmuHandler = (req: StorageEmuRequest) => StorageEmuResponse | Promise<StorageEmuResponse>;

/** What a test sets on a storage emulator's account; every provider's emulator takes these. */
export interface StorageAccountOptions {
  port?: number;
  /** Static access token (a "generated access token"). */
  token?: string;
  /** The OAuth app the vendor's authorize and token endpoints accept. */
  oauth?: { clientId: string; clientSecret: string };
  /** Refresh tokens the token endpoint accepts from the start. */
  refreshTokens?: string[];
  accessTokenTtlSec?: number;
  rateLimit?: number;
}

export interface StorageEmulatorOptions {
  account: StorageAccountOptions;
  routes: [method: string, pattern: string, handler: StorageEmuHandler][];
  /** The vendor's 401 answer (`token` is null when none was sent). */
  unauthorized(req: StorageEmuRequest): StorageEmuResponse;
  /** The vendor's 429 answer; Retry-After is added. */
  rateLimited(retryAfterSec: number): StorageEmuResponse;
  notFound(req: StorageEmuRequest): StorageEmuResponse;
  /** Requests that carry no token (pre-authenticated upload URLs: the URL is the credential). */
  isPublic?: (req: StorageEmuRequest) => boolean;
  /**
   * The vendor's OAuth endpoints, served when the account has an OAuth app: authorize (redirects back with a code at
   * once) and token (code and refresh grants); the vendor's access-token lifetime unless the account sets one.
   */
  oauthEndpoints: { authorizePath: string; tokenPath: string; accessTokenTtlSec?: number };
  rateWindowMs?: number;
}

export interface RunningStorageEmulator {
  url: string;
  port: number;
  /** Where received bytes are kept (removed on close). */
  dir: string;
  close(): Promise<void>;
  /** The next `n` requests (public paths too) answer 429 with `Retry-After: retryAfterSec`. */
  throttleNext(n: number, retryAfterSec?: number): void;
  /** The next `n` requests answer 503 (nothing is handled). */
  failNext(n: number): void;
  setRateLimit(limit: number, windowMs?: number): void;
  /** Adds a refresh token the OAuth endpoint accepts. */
  addRefreshToken(token: string): void;
  /** Every access token issued by the OAuth endpoint stops working (static ones stay). */
  expireAccessTokens(): void;
  stats: { requests: number; rateLimited: number; unauthorized: number; refreshed: number; byRoute: Map<string, number> };
  /** A fresh file path in `dir`. */
  newFile(): string;
}

/** Bytes received into a file, with their hashes computed on the way. */
export interface Received { bytes: number; sha1: Buffer; sha256: Buffer }

/**
 * Streams a request body into `file` (appending when asked), hashing it with SHA-1 and SHA-256 and feeding every
 * byte to `onData` (a vendor's own block hash). Never more than a socket buffer in memory. `skip` drops the first
 * bytes (a retried chunk overlapping what was received already).
 */
export async function receive(req: IncomingMessage, file: string, o: { append?: boolean; skip?: number; onData?: (b: Buffer) => void; limit?: number } = {}): Promise<Received> {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let bytes = 0;
  let skip = o.skip ?? 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      if (skip > 0) {
        const drop = Math.min(skip, chunk.length);
        skip -= drop;
        chunk = chunk.subarray(drop);
        if (!chunk.length) return cb();
      }
      bytes += chunk.length;
      if (o.limit !== undefined && bytes > o.limit) return cb(new Error('body larger than announced'));
      sha1.update(chunk); sha256.update(chunk); o.onData?.(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(req, tap, createWriteStream(file, { flags: o.append ? 'a' : 'w' }));
  return { bytes, sha1: sha1.digest(), sha256: sha256.digest() };
}

/** Hashes files' bytes in order, streaming (a whole file's digest at commit). */
export async function hashFiles(files: string[], algorithm: 'sha1' | 'sha256'): Promise<Buffer> {
  const h: Hash = createHash(algorithm);
  for (const f of files) for await (const c of createReadStream(f)) h.update(c as Buffer);
  return h.digest();
}

export const dropFile = (f: string) => { try { unlinkSync(f); } catch { /* gone already */ } };

function compile(pattern: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  // `:name` is one segment; `*name` is the rest of the path (Graph's root:/a/b.wav: addressing).
  const src = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*([A-Za-z_]+)/g, (_m, k) => { keys.push(k); return '(.+)'; })
    .replace(/:([A-Za-z_]+)/g, (_m, k) => { keys.push(k); return '([^/]+)'; });
  return { re: new RegExp('^' + src + '/?$'), keys };
}

export async function startStorageEmulator(o: StorageEmulatorOptions): Promise<RunningStorageEmulator> {
  const routes = o.routes.map(([method, pattern, handler]) => ({ method, pattern, handler, ...compile(pattern) }));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-storage-emu-'));
  const { account } = o;
  const tokens = new Set(account.token ? [account.token] : []);
  const oauth = account.oauth ? { ...o.oauthEndpoints, ...account.oauth, accessTokenTtlSec: account.accessTokenTtlSec ?? o.oauthEndpoints.accessTokenTtlSec } : undefined;
  const issued = new Map<string, number>();
  const refreshTokens = new Set<string>(account.refreshTokens);
  const codes = new Map<string, string>(); // code -> redirect_uri
  const stats = { requests: 0, rateLimited: 0, unauthorized: 0, refreshed: 0, byRoute: new Map<string, number>() };
  let throttle = { n: 0, retryAfterSec: 1 };
  let fail = 0;
  let limit = account.rateLimit ?? 0;
  let windowMs = o.rateWindowMs ?? 10_000;
  let windowStart = Date.now();
  let used = 0;
  let fileSeq = 0;

  const send = (res: ServerResponse, r: StorageEmuResponse) => {
    const headers: Record<string, string> = { ...r.headers };
    let payload = '';
    if (r.body !== undefined) {
      if (typeof r.body === 'string') { payload = r.body; headers['content-type'] ??= 'text/plain; charset=utf-8'; }
      else { payload = JSON.stringify(r.body); headers['content-type'] ??= 'application/json'; }
    }
    res.writeHead(r.status, headers);
    res.end(payload);
  };

  const readText = async (req: IncomingMessage, max = 1024 * 1024): Promise<string> => {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of req) { n += (c as Buffer).length; if (n > max) throw new StorageEmuError({ status: 413, body: 'Request entity too large' }); chunks.push(c as Buffer); }
    return Buffer.concat(chunks).toString('utf8');
  };

  const tokenEndpoint = async (req: StorageEmuRequest): Promise<StorageEmuResponse> => {
    const a = oauth!;
    const form = Object.fromEntries(new URLSearchParams(await req.text()));
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''));
    const [id, secret] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [form.client_id, form.client_secret];
    if (id !== a.clientId || (secret ?? '') !== a.clientSecret) return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client credentials' } };
    if (form.grant_type === 'refresh_token') {
      if (!refreshTokens.has(form.refresh_token)) return { status: 400, body: { error: 'invalid_grant', error_description: 'The refresh token is invalid or revoked' } };
    } else if (form.grant_type === 'authorization_code') {
      if (!codes.has(form.code) || codes.get(form.code) !== form.redirect_uri) return { status: 400, body: { error: 'invalid_grant', error_description: 'The authorization code is invalid, expired, or was issued for another redirect_uri' } };
      codes.delete(form.code);
    } else return { status: 400, body: { error: 'unsupported_grant_type', error_description: `grant_type ${form.grant_type} is not supported` } };
    const ttl = a.accessTokenTtlSec ?? 14_400;
    const access = 'emu.' + randomBytes(18).toString('hex');
    issued.set(access, Date.now() + ttl * 1000);
    stats.refreshed++;
    const refresh = form.grant_type === 'refresh_token' ? form.refresh_token : 'rt.' + randomBytes(18).toString('hex');
    refreshTokens.add(refresh);
    return { status: 200, body: { access_token: access, token_type: 'bearer', expires_in: ttl, ...(form.grant_type === 'refresh_token' ? {} : { refresh_token: refresh }) } };
  };

  const server: Server = createServer((raw, res) => {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const auth = /^Bearer\s+(.+)$/i.exec(String(raw.headers.authorization ?? ''));
    const req: StorageEmuRequest = {
      // An encoded colon is a colon (Graph's root:/path: addressing arrives either way).
      method: raw.method ?? 'GET', path: url.pathname.replace(/%3A/gi, ':'), query: url.searchParams, headers: raw.headers, params: {}, token: auth ? auth[1].trim() : null, raw,
      text: (max) => readText(raw, max),
      async json() {
        const t = await readText(raw);
        try { return t ? JSON.parse(t) : {}; } catch { throw new StorageEmuError({ status: 400, body: 'Error in call to API: request body is not valid JSON' }); }
      },
    };
    const handle = async (): Promise<StorageEmuResponse | null> => {
      if (oauth && req.method === 'POST' && req.path === oauth.tokenPath) return tokenEndpoint(req);
      if (oauth && req.method === 'GET' && req.path === oauth.authorizePath) {
        // The consent screen, consented at once: back to the app with a code (and its state).
        const redirect = req.query.get('redirect_uri');
        if (req.query.get('client_id') !== oauth.clientId || !redirect) return { status: 400, body: { error: 'invalid_request', error_description: 'unknown client_id or missing redirect_uri' } };
        const code = 'code.' + randomBytes(12).toString('hex');
        codes.set(code, redirect);
        const back = new URL(redirect);
        back.searchParams.set('code', code);
        if (req.query.get('state')) back.searchParams.set('state', req.query.get('state')!);
        return { status: 302, headers: { location: back.toString() } };
      }
      stats.requests++;
      if (throttle.n > 0) {
        throttle.n--; stats.rateLimited++;
        const r = o.rateLimited(throttle.retryAfterSec);
        return { ...r, headers: { ...r.headers, 'retry-after': String(throttle.retryAfterSec) } };
      }
      if (limit > 0) {
        const now = Date.now();
        if (now - windowStart >= windowMs) { windowStart = now; used = 0; }
        if (used >= limit) {
          stats.rateLimited++;
          const after = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
          const r = o.rateLimited(after);
          return { ...r, headers: { ...r.headers, 'retry-after': String(after) } };
        }
        used++;
      }
      if (fail > 0) { fail--; return { status: 503, body: 'Service Unavailable (injected by the emulator)' }; }
      const isPublic = o.isPublic?.(req) ?? false;
      if (!isPublic) {
        const exp = req.token ? issued.get(req.token) : undefined;
        if (!req.token || !(tokens.has(req.token) || (exp !== undefined && exp > Date.now()))) { stats.unauthorized++; return o.unauthorized(req); }
      }
      for (const r of routes) {
        if (r.method !== req.method) continue;
        const m = r.re.exec(req.path);
        if (!m) continue;
        r.keys.forEach((k, i) => { req.params[k] = decodeURIComponent(m[i + 1]); });
        const key = `${r.method} ${r.pattern}`;
        stats.byRoute.set(key, (stats.byRoute.get(key) ?? 0) + 1);
        return r.handler(req);
      }
      return o.notFound(req);
    };
    handle().then((r) => {
      // A refused body is left unread; drain it so the answer reaches a client still sending.
      if (!raw.readableEnded) raw.resume();
      if (r) send(res, r);
    }, (err) => {
      if (!raw.readableEnded) raw.resume();
      if (res.headersSent) { res.destroy(); return; }
      send(res, err instanceof StorageEmuError ? err.response : { status: 500, body: `Internal error: ${(err as Error).message}` });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(account.port ?? 0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    stats,
    async close() {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      rmSync(dir, { recursive: true, force: true });
    },
    throttleNext(n, retryAfterSec = 1) { throttle = { n, retryAfterSec }; },
    failNext(n) { fail = n; },
    setRateLimit(l, w) { limit = l; if (w) windowMs = w; used = 0; windowStart = Date.now(); },
    addRefreshToken(t) { refreshTokens.add(t); },
    expireAccessTokens() { for (const k of issued.keys()) issued.set(k, 0); },
    newFile: () => path.join(dir, `f${++fileSeq}-${randomBytes(4).toString('hex')}`),
  };
}
