// A Box API emulator on loopback: the upload host's chunked upload sessions (create for a new file or a new
// version, upload parts with Content-Range and `Digest: sha=` checked against the bytes, part size and alignment
// enforced, an overlap answered 416 range_overlaps_existing_part, list parts, commit with the parts and the whole
// file's SHA-1 digest, abort), the simple multipart upload for small files, the API host's file update with
// `fields=shared_link` (open / company / collaborators), users/me, and the OAuth 2 token endpoint. Errors are Box's
// `{ type: 'error', status, code, message }`; 401 carries WWW-Authenticate; 429 Retry-After. Both hosts on one
// port: /api/2.0/… is upload.box.com, /2.0/… api.box.com. Parts stream to disk, hashed on the way (each part's
// SHA-1, and the file's over parts sent in order); a committed file is its parts' files, never copied into one.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { dropFile, hashFiles, receive, startStorageEmulator, StorageEmuError, type RunningStorageEmulator, type StorageAccountOptions, type StorageEmuRequest, type StorageEmuResponse } from '../../kit/storage-emulator';

export interface BoxEmulatorOptions extends StorageAccountOptions {
  /** Smallest file a chunked session takes (Box: 20,000,000 bytes). */
  minChunkedSize?: number;
}

export interface BoxFile { id: string; name: string; parentId: string; size: number; sha1: string; etag: string; versions: number; /** Its bytes: the committed parts' files, in order (never copied into one). */
  files: string[]; sharedLink: { url: string; access: string } | null; createdAt: string }

export interface BoxEmulator extends RunningStorageEmulator {
  store: {
    files(): BoxFile[];
    file(id: string): BoxFile | undefined;
    sha256(id: string): Promise<string>;
    sessions(): { id: string; parts: number; total: number }[];
    addFolder(id: string, name: string): void;
  };
}

interface Part { part_id: string; offset: number; size: number; sha1: string; file: string }
interface Session { id: string; fileSize: number; partSize: number; name: string; folderId: string; fileId: string | null; parts: Map<number, Part>; expiresAt: string; /** SHA-1 of the parts received in order so far (the commit's digest without reading them again). */ running: { next: number; hash: Hash } }

const PART_SIZE = 8 * 1024 * 1024;

const boxError = (status: number, code: string, message: string, context_info?: unknown): StorageEmuError =>
  new StorageEmuError({ status, body: { type: 'error', status, code, help_url: 'http://developers.box.com/docs/#errors', message, request_id: randomBytes(6).toString('hex'), ...(context_info ? { context_info } : {}) } });

export async function startBoxEmulator(o: BoxEmulatorOptions = {}): Promise<BoxEmulator> {
  const minChunked = o.minChunkedSize ?? 20_000_000;
  const folders = new Map<string, string>([['0', 'All Files']]);
  const files = new Map<string, BoxFile>();
  const sessions = new Map<string, Session>();
  let seq = 1_000_000;
  let baseUrl = '';

  const sessionBody = (s: Session) => {
    const ep = `${baseUrl}/api/2.0/files/upload_sessions/${s.id}`;
    return {
      type: 'upload_session', id: s.id, session_expires_at: s.expiresAt, part_size: s.partSize, total_parts: Math.ceil(s.fileSize / s.partSize), num_parts_processed: s.parts.size,
      session_endpoints: { upload_part: ep, commit: `${ep}/commit`, abort: ep, list_parts: `${ep}/parts`, status: ep, log_event: `${ep}/log` },
    };
  };

  const mini = (f: BoxFile) => ({ type: 'file', id: f.id, etag: f.etag, sequence_id: String(f.versions - 1), name: f.name, sha1: f.sha1, file_version: { type: 'file_version', id: `${f.id}${f.versions}`, sha1: f.sha1 } });
  const full = (f: BoxFile) => ({
    ...mini(f), description: '', size: f.size, created_at: f.createdAt, modified_at: f.createdAt,
    parent: { type: 'folder', id: f.parentId, name: folders.get(f.parentId) }, item_status: 'active',
    shared_link: f.sharedLink ? { url: f.sharedLink.url, download_url: `${baseUrl}/shared/static/${f.sharedLink.url.split('/').pop()}.wav`, vanity_url: null, access: f.sharedLink.access, effective_access: f.sharedLink.access, effective_permission: 'can_download', is_password_enabled: false, unshared_at: null, download_count: 0, preview_count: 0, permissions: { can_download: true, can_preview: true, can_edit: false } } : null,
  });
  const withFields = (f: BoxFile, fields: string | null) => {
    if (!fields) return full(f);
    const all = full(f) as Record<string, unknown>;
    const out: Record<string, unknown> = { type: 'file', id: f.id, etag: f.etag };
    for (const k of fields.split(',').map((s) => s.trim())) if (k in all) out[k] = all[k];
    return out;
  };

  const conflictOf = (folderId: string, name: string) => [...files.values()].find((f) => f.parentId === folderId && f.name.toLowerCase() === name.toLowerCase());

  function checkName(name: unknown): string {
    if (typeof name !== 'string' || !name.trim()) throw boxError(400, 'bad_request', 'file_name is required');
    if (name.length > 255 || /[/\\]/.test(name) || name === '.' || name === '..') throw boxError(400, 'item_name_invalid', 'Item name invalid');
    return name;
  }

  const newSession = (p: { fileSize: number; name: string; folderId: string; fileId: string | null }): Session => {
    if (!Number.isInteger(p.fileSize) || p.fileSize < 0) throw boxError(400, 'bad_request', 'file_size must be a non-negative integer');
    if (p.fileSize < minChunked) throw boxError(400, 'file_size_too_small', `File size ${p.fileSize} is less than minimum allowed for this API: ${minChunked}`);
    const s: Session = { id: randomBytes(16).toString('hex').toUpperCase(), fileSize: p.fileSize, partSize: PART_SIZE, name: p.name, folderId: p.folderId, fileId: p.fileId, parts: new Map(), expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), running: { next: 0, hash: createHash('sha1') } };
    sessions.set(s.id, s);
    return s;
  };

  const getSession = (id: string) => {
    const s = sessions.get(id);
    if (!s) throw boxError(404, 'not_found', 'Upload session not found or expired');
    return s;
  };

  const digestOf = (req: StorageEmuRequest): string => {
    const m = /^sha=([A-Za-z0-9+/=]+)$/.exec(String(req.headers.digest ?? '').trim());
    if (!m) throw boxError(400, 'bad_request', 'A Digest header in the form sha=BASE64_SHA1 is required');
    return Buffer.from(m[1], 'base64').toString('hex');
  };

  function store(p: { name: string; folderId: string; fileId: string | null; size: number; sha1: string; files: string[] }): BoxFile {
    const prev = p.fileId ? files.get(p.fileId) : undefined;
    if (prev) {
      prev.files.forEach(dropFile);
      Object.assign(prev, { size: p.size, sha1: p.sha1, files: p.files, versions: prev.versions + 1, etag: String(prev.versions) });
      return prev;
    }
    const f: BoxFile = { id: String(++seq), name: p.name, parentId: p.folderId, size: p.size, sha1: p.sha1, etag: '0', versions: 1, files: p.files, sharedLink: null, createdAt: new Date().toISOString().replace(/\.\d+Z$/, '-00:00') };
    files.set(f.id, f);
    return f;
  }

  const routes: [string, string, (req: StorageEmuRequest) => Promise<StorageEmuResponse> | StorageEmuResponse][] = [
    ['POST', '/api/2.0/files/upload_sessions', async (req) => {
      const b = await req.json<{ folder_id?: string; file_size?: number; file_name?: string }>();
      const name = checkName(b.file_name);
      const folderId = String(b.folder_id ?? '');
      if (!folders.has(folderId)) throw boxError(404, 'not_found', `Folder ${folderId || '(none)'} not found`);
      const clash = conflictOf(folderId, name);
      if (clash) throw boxError(409, 'item_name_in_use', 'Item with the same name already exists', { conflicts: { type: 'file', id: clash.id, sha1: clash.sha1, name: clash.name } });
      return { status: 201, body: sessionBody(newSession({ fileSize: Number(b.file_size), name, folderId, fileId: null })) };
    }],
    ['POST', '/api/2.0/files/:fileId/upload_sessions', async (req) => {
      const f = files.get(req.params.fileId);
      if (!f) throw boxError(404, 'not_found', `File ${req.params.fileId} not found`);
      const b = await req.json<{ file_size?: number; file_name?: string }>();
      return { status: 201, body: sessionBody(newSession({ fileSize: Number(b.file_size), name: b.file_name ? checkName(b.file_name) : f.name, folderId: f.parentId, fileId: f.id })) };
    }],
    ['PUT', '/api/2.0/files/upload_sessions/:id', async (req) => {
      const s = getSession(req.params.id);
      const sha1 = digestOf(req);
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (!m) throw boxError(400, 'bad_request', 'A Content-Range header in the form bytes first-last/total is required');
      const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // A part sent chunked (no Content-Length, as Box's own SDK does) is measured as it arrives.
      const len = req.headers['content-length'] === undefined ? last - first + 1 : Number(req.headers['content-length']);
      if (total !== s.fileSize) throw boxError(416, 'requested_range_not_satisfiable', `The total ${total} differs from the session's file_size ${s.fileSize}`);
      if (first % s.partSize !== 0 || last < first || last >= total) throw boxError(416, 'requested_range_not_satisfiable', `The range ${first}-${last} does not start on a part boundary (part_size ${s.partSize})`);
      const isLast = last + 1 === total;
      if (!isLast && last - first + 1 !== s.partSize) throw boxError(416, 'requested_range_not_satisfiable', `Parts but the last must be exactly part_size (${s.partSize}) bytes`);
      if (len !== last - first + 1) throw boxError(400, 'bad_request', `Content-Length ${len} does not match the range ${first}-${last}`);
      if (s.parts.has(first)) throw boxError(416, 'range_overlaps_existing_part', 'Part overlaps with previously uploaded part', { offset: first });
      const file = emu.newFile();
      // The part that comes next in order also feeds the file's running SHA-1 (taken only if the part is).
      const inOrder = first === s.running.next ? s.running.hash.copy() : null;
      const r = await receive(req.raw, file, { limit: len, onData: inOrder ? (b) => inOrder.update(b) : undefined });
      if (r.bytes !== len) { dropFile(file); throw boxError(400, 'bad_request', `The part has ${r.bytes} bytes, the range ${first}-${last} says ${len}`); }
      if (r.sha1.toString('hex') !== sha1) { dropFile(file); throw boxError(400, 'bad_digest', 'The digest in the Digest header does not match the part\'s content (SHA-1)'); }
      const part: Part = { part_id: randomBytes(4).toString('hex').toUpperCase(), offset: first, size: len, sha1, file };
      s.parts.set(first, part);
      if (inOrder) s.running = { next: first + len, hash: inOrder };
      const { file: _f, ...pub } = part;
      return { status: 200, body: { part: pub } };
    }],
    ['GET', '/api/2.0/files/upload_sessions/:id/parts', (req) => {
      const s = getSession(req.params.id);
      const entries = [...s.parts.values()].sort((a, b) => a.offset - b.offset).map(({ file: _f, ...p }) => p);
      return { status: 200, body: { entries, total_count: entries.length, limit: 1000, offset: 0 } };
    }],
    ['GET', '/api/2.0/files/upload_sessions/:id', (req) => ({ status: 200, body: sessionBody(getSession(req.params.id)) })],
    ['DELETE', '/api/2.0/files/upload_sessions/:id', (req) => {
      const s = getSession(req.params.id);
      for (const p of s.parts.values()) dropFile(p.file);
      sessions.delete(s.id);
      return { status: 204 };
    }],
    ['POST', '/api/2.0/files/upload_sessions/:id/commit', async (req) => {
      const s = getSession(req.params.id);
      const whole = digestOf(req);
      const b = await req.json<{ parts?: { part_id?: string; offset?: number; size?: number; sha1?: string }[]; attributes?: { name?: string } }>();
      if (!Array.isArray(b.parts) || !b.parts.length) throw boxError(400, 'bad_request', 'parts is required');
      let at = 0;
      const used: Part[] = [];
      for (const p of b.parts) {
        const have = s.parts.get(Number(p.offset));
        if (!have || have.part_id !== p.part_id || have.size !== p.size || have.sha1 !== p.sha1) throw boxError(400, 'bad_request', `Part ${String(p.part_id)} at offset ${String(p.offset)} is not a part of this session`);
        if (have.offset !== at) throw boxError(400, 'bad_request', `The parts do not cover the file: expected a part at offset ${at}`);
        at += have.size;
        used.push(have);
      }
      if (at !== s.fileSize) throw boxError(400, 'bad_request', `The parts cover ${at} of ${s.fileSize} bytes`);
      // Parts sent in order were hashed as they came; out of order, the parts are read back once.
      const actual = s.running.next === at ? s.running.hash.copy().digest('hex') : (await hashFiles(used.map((p) => p.file), 'sha1')).toString('hex');
      if (actual !== whole) throw boxError(400, 'bad_digest', 'The digest in the Digest header does not match the file\'s content (SHA-1 of all parts)');
      const name = b.attributes?.name ? checkName(b.attributes.name) : s.name;
      if (!s.fileId) {
        const clash = conflictOf(s.folderId, name);
        if (clash) throw boxError(409, 'item_name_in_use', 'Item with the same name already exists', { conflicts: { type: 'file', id: clash.id, sha1: clash.sha1, name: clash.name } });
      }
      for (const p of s.parts.values()) if (!used.includes(p)) dropFile(p.file);
      sessions.delete(s.id);
      const f = store({ name, folderId: s.folderId, fileId: s.fileId, size: at, sha1: whole, files: used.map((p) => p.file) });
      return { status: 201, body: { total_count: 1, entries: [full(f)] } };
    }],
    ['PUT', '/2.0/files/:id', async (req) => {
      const f = files.get(req.params.id);
      if (!f) throw boxError(404, 'not_found', `Could not find the specified resource`);
      const b = await req.json<{ shared_link?: { access?: string } | null; name?: string }>();
      if (b.shared_link === null) f.sharedLink = null;
      else if (b.shared_link) {
        const access = b.shared_link.access ?? 'open';
        if (!['open', 'company', 'collaborators'].includes(access)) throw boxError(400, 'bad_request', `Invalid value '${access}' for shared_link.access`);
        f.sharedLink = { url: f.sharedLink?.url ?? `${baseUrl}/s/${randomBytes(16).toString('hex')}`, access };
      }
      if (b.name) f.name = checkName(b.name);
      return { status: 200, body: withFields(f, req.query.get('fields')) };
    }],
    ['GET', '/2.0/files/:id', (req) => {
      const f = files.get(req.params.id);
      if (!f) throw boxError(404, 'not_found', 'Could not find the specified resource');
      return { status: 200, body: withFields(f, req.query.get('fields')) };
    }],
    ['GET', '/2.0/users/me', () => ({ status: 200, body: { type: 'user', id: '11446498', name: 'Patchbay Emulator', login: 'storage@example.com', status: 'active' } })],
  ];

  // The simple upload (files below the chunked minimum): multipart/form-data, `attributes` before `file`. Small by
  // Box's rule, so read whole here.
  routes.push(['POST', '/api/2.0/files/content', async (req) => {
    const ct = String(req.headers['content-type'] ?? '');
    const bm = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(ct);
    if (!/^multipart\/form-data/i.test(ct) || !bm) throw boxError(400, 'bad_request', 'multipart/form-data with attributes and file is expected');
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of req.raw) { n += (c as Buffer).length; if (n > minChunked + 1024 * 1024) throw boxError(413, 'file_size_limit_exceeded', 'Use a chunked upload session for files this large'); chunks.push(c as Buffer); }
    const body = Buffer.concat(chunks);
    const delim = Buffer.from(`--${bm[1] ?? bm[2]}`);
    const fields: Record<string, Buffer> = {};
    let at = body.indexOf(delim);
    while (at >= 0) {
      const next = body.indexOf(delim, at + delim.length);
      if (next < 0) break;
      const part = body.subarray(at + delim.length + 2, next - 2);
      const sep = part.indexOf('\r\n\r\n');
      const head = part.subarray(0, sep).toString('utf8');
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      if (name) fields[name] = part.subarray(sep + 4);
      at = next;
    }
    if (!fields.attributes) throw boxError(400, 'bad_request', 'The attributes part is required (and must come before the file)');
    if (!fields.file) throw boxError(400, 'bad_request', 'The file part is required');
    let attrs: { name?: string; parent?: { id?: string } };
    try { attrs = JSON.parse(fields.attributes.toString('utf8')); } catch { throw boxError(400, 'bad_request', 'attributes is not valid JSON'); }
    const name = checkName(attrs.name);
    const folderId = String(attrs.parent?.id ?? '');
    if (!folders.has(folderId)) throw boxError(404, 'not_found', `Folder ${folderId || '(none)'} not found`);
    const sha1 = createHash('sha1').update(fields.file).digest('hex');
    const digest = req.headers['content-md5'];
    if (digest && String(digest) !== sha1) throw boxError(412, 'sha1_mismatch', 'The Content-MD5 (SHA-1) header does not match the file');
    const clash = conflictOf(folderId, name);
    if (clash) throw boxError(409, 'item_name_in_use', 'Item with the same name already exists', { conflicts: { type: 'file', id: clash.id, sha1: clash.sha1, name: clash.name } });
    const file = emu.newFile();
    writeFileSync(file, fields.file);
    const f = store({ name, folderId, fileId: null, size: fields.file.length, sha1, files: [file] });
    return { status: 201, body: { total_count: 1, entries: [full(f)] } };
  }]);

  const emu = await startStorageEmulator({
    account: o,
    routes,
    oauthEndpoints: { authorizePath: '/api/oauth2/authorize', tokenPath: '/oauth2/token', accessTokenTtlSec: 3600 },
    unauthorized: (req) => ({ status: 401, headers: { 'www-authenticate': req.token ? 'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."' : 'Bearer realm="Service", error="invalid_request", error_description="The access token was not found."' } }),
    rateLimited: () => ({ status: 429, body: { type: 'error', status: 429, code: 'rate_limit_exceeded', help_url: 'http://developers.box.com/docs/#errors', message: 'Request rate limit exceeded, please try again later', request_id: randomBytes(6).toString('hex') } }),
    notFound: () => ({ status: 404, body: { type: 'error', status: 404, code: 'not_found', message: 'Not Found', request_id: randomBytes(6).toString('hex') } }),
  });
  baseUrl = emu.url;
  return Object.assign(emu, {
    store: {
      files: () => [...files.values()],
      file: (id: string) => files.get(id),
      async sha256(id: string) {
        const f = files.get(id);
        if (!f) throw new Error(`no file ${id}`);
        return (await hashFiles(f.files, 'sha256')).toString('hex');
      },
      sessions: () => [...sessions.values()].map((s) => ({ id: s.id, parts: s.parts.size, total: s.fileSize })),
      addFolder: (id: string, name: string) => { folders.set(id, name); },
    },
  });
}
