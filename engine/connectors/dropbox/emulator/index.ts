// A Dropbox API v2 emulator on loopback: the content host's upload sessions (start, append_v2, finish with the
// Dropbox-API-Arg header; cursor offsets checked, incorrect_offset answered with the correct one), the API host's
// shared links (create_shared_link_with_settings, shared_link_already_exists with the existing link's metadata,
// list_shared_links), users/get_current_account, and the OAuth 2 token endpoint (refresh). Errors are Dropbox's:
// 409 with error_summary and a tagged error, 400 as plain text, 401 expired/invalid_access_token, 429 with
// Retry-After. Both hosts answer on one port. Uploaded bytes stream to disk, hashed on the way (content_hash: the
// SHA-256 of the SHA-256s of each 4 MiB block, as Dropbox computes it).
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { dropFile, hashFiles, receive, startStorageEmulator, StorageEmuError, type RunningStorageEmulator, type StorageAccountOptions, type StorageEmuRequest, type StorageEmuResponse } from '../../kit/storage-emulator';

export type DropboxEmulatorOptions = StorageAccountOptions;

export interface DropboxFile { id: string; name: string; pathLower: string; pathDisplay: string; size: number; contentHash: string; rev: string; serverModified: string; file: string; link?: string }

export interface DropboxEmulator extends RunningStorageEmulator {
  store: {
    files(): DropboxFile[];
    byPath(path: string): DropboxFile | undefined;
    /** sha256 of the stored bytes. */
    sha256(path: string): Promise<string>;
    sessions(): { id: string; offset: number; closed: boolean }[];
  };
}

const BLOCK = 4 * 1024 * 1024;
/** The largest request body Dropbox takes (150 MB). */
const MAX_PAYLOAD = 150 * 1024 * 1024;

interface Session { id: string; file: string; offset: number; closed: boolean; whole: Hash; block: Hash; inBlock: number; blocks: Buffer[] }

/** A Dropbox API error: 409 with the route's error union. */
const routeError = (summaryTag: string, error: Record<string, unknown>): StorageEmuError =>
  new StorageEmuError({ status: 409, body: { error_summary: `${summaryTag}/..${randomBytes(1).toString('hex')}`, error } });

const badInput = (route: string, why: string): StorageEmuError =>
  new StorageEmuError({ status: 400, body: `Error in call to API function "${route}": ${why}` });

export async function startDropboxEmulator(o: DropboxEmulatorOptions = {}): Promise<DropboxEmulator> {
  const sessions = new Map<string, Session>();
  const files = new Map<string, DropboxFile>(); // by path_lower
  const links = new Map<string, string>(); // path_lower -> url

  function apiArg<T>(req: StorageEmuRequest, route: string): T {
    const raw = req.headers['dropbox-api-arg'] ?? req.query.get('arg');
    if (!raw) throw badInput(route, 'Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
    try { return JSON.parse(String(raw)) as T; } catch { throw badInput(route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON'); }
  }

  function contentType(req: StorageEmuRequest, route: string) {
    const ct = String(req.headers['content-type'] ?? '');
    if (ct && !/^application\/octet-stream|^text\/plain; charset=dropbox-cors-hack/.test(ct)) {
      throw badInput(route, `Bad HTTP "Content-Type" header: "${ct}".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`);
    }
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > MAX_PAYLOAD) throw routeError('payload_too_large', { '.tag': 'payload_too_large' });
  }

  async function append(s: Session, req: StorageEmuRequest) {
    const r = await receive(req.raw, s.file, {
      append: true, limit: MAX_PAYLOAD,
      onData: (b) => {
        s.whole.update(b);
        let rest = b;
        while (rest.length) {
          const n = Math.min(BLOCK - s.inBlock, rest.length);
          s.block.update(rest.subarray(0, n));
          s.inBlock += n;
          rest = rest.subarray(n);
          if (s.inBlock === BLOCK) { s.blocks.push(s.block.digest()); s.block = createHash('sha256'); s.inBlock = 0; }
        }
      },
    });
    s.offset += r.bytes;
  }

  function lookup(cursor: { session_id?: string; offset?: number } | undefined, route: string, wrap: (e: Record<string, unknown>) => StorageEmuError): Session {
    if (!cursor || typeof cursor.session_id !== 'string' || typeof cursor.offset !== 'number') throw badInput(route, 'missing required field "cursor"');
    const s = sessions.get(cursor.session_id);
    if (!s) throw wrap({ '.tag': 'not_found' });
    if (s.closed && route.endsWith('append_v2')) throw wrap({ '.tag': 'closed' });
    if (cursor.offset !== s.offset) throw wrap({ '.tag': 'incorrect_offset', correct_offset: s.offset });
    return s;
  }

  const metadata = (f: DropboxFile) => ({
    '.tag': 'file', name: f.name, id: f.id, client_modified: f.serverModified, server_modified: f.serverModified, rev: f.rev,
    size: f.size, path_lower: f.pathLower, path_display: f.pathDisplay, is_downloadable: true, content_hash: f.contentHash,
  });

  const linkMetadata = (f: DropboxFile, url: string) => ({
    '.tag': 'file', url, id: f.id, name: f.name, path_lower: f.pathLower, server_modified: f.serverModified, rev: f.rev, size: f.size,
    link_permissions: { can_revoke: true, resolved_visibility: { '.tag': 'public' }, visibility_policies: [], can_set_expiry: true, allow_download: true },
    preview_type: 'audio',
  });

  const validPath = (p: unknown, route: string): string => {
    if (typeof p !== 'string' || !/^(\/(.|[\r\n])*|id:.*|rev:[0-9a-z]+|ns:[0-9]+(\/.*)?)$/.test(p)) throw badInput(route, `request body: path: '${String(p)}' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)'`);
    return p;
  };

  const find = (p: string) => (p.startsWith('id:') ? [...files.values()].find((f) => f.id === p) : files.get(p.toLowerCase()));

  let baseUrl = '';
  const routes: [string, string, (req: StorageEmuRequest) => Promise<StorageEmuResponse> | StorageEmuResponse][] = [
    ['POST', '/2/files/upload_session/start', async (req) => {
      const route = 'files/upload_session/start';
      const arg = apiArg<{ close?: boolean; session_type?: unknown }>(req, route);
      contentType(req, route);
      const s: Session = { id: 'pid_upload_session:' + randomBytes(24).toString('base64url'), file: emu.newFile(), offset: 0, closed: false, whole: createHash('sha256'), block: createHash('sha256'), inBlock: 0, blocks: [] };
      await append(s, req);
      s.closed = arg.close === true;
      sessions.set(s.id, s);
      return { status: 200, body: { session_id: s.id } };
    }],
    ['POST', '/2/files/upload_session/append_v2', async (req) => {
      const route = 'files/upload_session/append_v2';
      const arg = apiArg<{ cursor?: { session_id?: string; offset?: number }; close?: boolean }>(req, route);
      contentType(req, route);
      const s = lookup(arg.cursor, route, (e) => routeError(String(e['.tag']), e));
      await append(s, req);
      if (arg.close === true) s.closed = true;
      return { status: 200, body: null };
    }],
    ['POST', '/2/files/upload_session/finish', async (req) => {
      const route = 'files/upload_session/finish';
      const arg = apiArg<{ cursor?: { session_id?: string; offset?: number }; commit?: { path?: string; mode?: string | { '.tag': string }; autorename?: boolean } }>(req, route);
      contentType(req, route);
      const path = validPath(arg.commit?.path, route);
      const s = lookup(arg.cursor, route, (e) => routeError(`lookup_failed/${String(e['.tag'])}`, { '.tag': 'lookup_failed', lookup_failed: e }));
      await append(s, req);
      const mode = typeof arg.commit?.mode === 'object' ? arg.commit.mode['.tag'] : arg.commit?.mode ?? 'add';
      let display = path;
      if (files.has(display.toLowerCase()) && mode === 'add') {
        if (!arg.commit?.autorename) {
          throw routeError('path/conflict/file', { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'file' } } });
        }
        const dot = path.lastIndexOf('.');
        for (let i = 1; files.has(display.toLowerCase()); i++) display = dot > path.lastIndexOf('/') ? `${path.slice(0, dot)} (${i})${path.slice(dot)}` : `${path} (${i})`;
      }
      if (s.inBlock > 0) { s.blocks.push(s.block.digest()); s.inBlock = 0; }
      const contentHash = createHash('sha256').update(Buffer.concat(s.blocks)).digest('hex');
      const prev = files.get(display.toLowerCase());
      if (prev) dropFile(prev.file);
      const f: DropboxFile = {
        id: prev?.id ?? 'id:' + randomBytes(11).toString('base64url'), name: display.split('/').pop()!, pathLower: display.toLowerCase(), pathDisplay: display,
        size: s.offset, contentHash, rev: randomBytes(9).toString('hex'), serverModified: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), file: s.file,
      };
      files.set(f.pathLower, f);
      sessions.delete(s.id);
      return { status: 200, body: metadata(f) };
    }],
    ['POST', '/2/sharing/create_shared_link_with_settings', async (req) => {
      const route = 'sharing/create_shared_link_with_settings';
      const body = await req.json<{ path?: string; settings?: { requested_visibility?: string; audience?: string; access?: string } }>();
      const path = validPath(body.path, route);
      const f = find(path);
      if (!f) throw routeError('path/not_found', { '.tag': 'path', path: { '.tag': 'not_found' } });
      const existing = links.get(f.pathLower);
      if (existing) {
        throw routeError('shared_link_already_exists', { '.tag': 'shared_link_already_exists', shared_link_already_exists: { '.tag': 'metadata', metadata: linkMetadata(f, existing) } });
      }
      const url = `${baseUrl}/s/${randomBytes(8).toString('hex')}/${encodeURIComponent(f.name)}?dl=0`;
      links.set(f.pathLower, url);
      f.link = url;
      return { status: 200, body: linkMetadata(f, url) };
    }],
    ['POST', '/2/sharing/list_shared_links', async (req) => {
      const body = await req.json<{ path?: string }>();
      const out = [...files.values()].filter((f) => links.has(f.pathLower) && (!body.path || f.pathLower === body.path.toLowerCase() || f.id === body.path)).map((f) => linkMetadata(f, links.get(f.pathLower)!));
      return { status: 200, body: { links: out, has_more: false } };
    }],
    ['POST', '/2/users/get_current_account', async (req) => {
      await req.text();
      return { status: 200, body: { account_id: 'dbid:AACemulatoraccount', name: { display_name: 'Patchbay Emulator' }, email: 'storage@example.com', email_verified: true, disabled: false, account_type: { '.tag': 'business' } } };
    }],
  ];

  const emu = await startStorageEmulator({
    account: o,
    routes,
    oauthEndpoints: { authorizePath: '/oauth2/authorize', tokenPath: '/oauth2/token' },
    unauthorized: (req) => (req.token
      ? { status: 401, headers: { 'www-authenticate': 'Bearer realm="Dropbox-API"' }, body: { error_summary: 'invalid_access_token/..', error: { '.tag': 'invalid_access_token' } } }
      : { status: 400, body: `Error in call to API function "${req.path.replace(/^\/2\//, '')}": Must provide HTTP header "Authorization" or URL parameter "authorization".` }),
    rateLimited: (after) => ({ status: 429, body: { error_summary: 'too_many_requests/..', error: { reason: { '.tag': 'too_many_requests' }, retry_after: after } } }),
    notFound: (req) => ({ status: 404, body: `Unknown API function: "${req.path.replace(/^\/2\//, '')}"` }),
  });
  baseUrl = emu.url;
  return Object.assign(emu, {
    store: {
      files: () => [...files.values()],
      byPath: (p: string) => files.get(p.toLowerCase()),
      async sha256(p: string) {
        const f = files.get(p.toLowerCase());
        if (!f) throw new Error(`no file ${p}`);
        return (await hashFiles([f.file], 'sha256')).toString('hex');
      },
      sessions: () => [...sessions.values()].map((s) => ({ id: s.id, offset: s.offset, closed: s.closed })),
    },
  });
}
