// A Google Drive API v3 emulator on loopback: resumable uploads (POST /upload/drive/v3/files?uploadType=resumable
// answers the session URI in Location; PUT chunks with Content-Range, 308 Resume Incomplete with the Range
// received, chunks but the last in multiples of 256 KiB, a gap refused, an overlap of a retried chunk skipped,
// `bytes */N` asking the status; the last chunk answers 200 with the file), files.get with `fields`,
// permissions.create (anyone / domain / user, reader …), about.get, multipart and media uploads for small files,
// and Google's OAuth token endpoint. Errors are Google's JSON error bodies (401 UNAUTHENTICATED, 404 notFound,
// 400 badRequest, 429 userRateLimitExceeded with Retry-After). Received bytes stream to disk with their MD5 computed on the way (md5Checksum).
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { dropFile, hashFiles, receive, startStorageEmulator, StorageEmuError, type RunningStorageEmulator, type StorageAccountOptions, type StorageEmuRequest, type StorageEmuResponse } from '../../kit/storage-emulator';

export interface GdriveEmulatorOptions extends StorageAccountOptions {
  /** The account's Workspace domain (domain permissions must name it). */
  domain?: string;
}

export interface DriveFile { id: string; name: string; mimeType: string; parents: string[]; size: number; md5Checksum: string; createdTime: string; file: string; permissions: { id: string; type: string; role: string; domain?: string }[] }

export interface GdriveEmulator extends RunningStorageEmulator {
  store: {
    files(): DriveFile[];
    file(id: string): DriveFile | undefined;
    sha256(id: string): Promise<string>;
    sessions(): { id: string; received: number; total: number | null }[];
  };
}

/** Chunks but the last must be multiples of this (256 KiB). */
export const DRIVE_CHUNK_UNIT = 256 * 1024;

interface Session { id: string; meta: { name: string; mimeType: string; parents: string[] }; declared: number | null; received: number; file: string; md5: Hash; fields: string | null; done?: DriveFile }

const gError = (code: number, message: string, reason: string, extra: Record<string, string> = {}, status?: string): StorageEmuError =>
  new StorageEmuError({ status: code, body: { error: { code, message, errors: [{ message, domain: code === 429 ? 'usageLimits' : 'global', reason, ...extra }], ...(status ? { status } : {}) } } });

const FIELDS_DEFAULT = ['kind', 'id', 'name', 'mimeType'];

export async function startGdriveEmulator(o: GdriveEmulatorOptions = {}): Promise<GdriveEmulator> {
  const sessions = new Map<string, Session>();
  const files = new Map<string, DriveFile>();
  const domain = o.domain ?? 'example.com';
  let baseUrl = '';

  const resource = (f: DriveFile, fields: string | null): Record<string, unknown> => {
    const all: Record<string, unknown> = {
      kind: 'drive#file', id: f.id, name: f.name, mimeType: f.mimeType, parents: f.parents, size: String(f.size), md5Checksum: f.md5Checksum, createdTime: f.createdTime,
      webViewLink: `${baseUrl}/file/d/${f.id}/view?usp=drivesdk`, webContentLink: `${baseUrl}/uc?id=${f.id}&export=download`,
      permissions: f.permissions.map((p) => ({ kind: 'drive#permission', ...p })),
    };
    const want = fields && fields !== '*' ? fields.split(',').map((s) => s.trim()).filter(Boolean) : fields === '*' ? Object.keys(all) : FIELDS_DEFAULT;
    const out: Record<string, unknown> = {};
    for (const k of want) {
      if (!(k in all)) throw gError(400, `Invalid field selection ${k}`, 'invalidParameter', { location: 'fields', locationType: 'parameter' });
      out[k] = all[k];
    }
    return out;
  };

  const getFile = (id: string) => {
    const f = files.get(id);
    if (!f) throw gError(404, `File not found: ${id}.`, 'notFound', { location: 'fileId', locationType: 'parameter' });
    return f;
  };

  const finish = (s: Session): DriveFile => {
    const f: DriveFile = { id: '1' + randomBytes(16).toString('base64url'), ...s.meta, size: s.received, md5Checksum: s.md5.digest('hex'), createdTime: new Date().toISOString(), file: s.file, permissions: [{ id: '01emulatorowner', type: 'user', role: 'owner' }] };
    files.set(f.id, f);
    s.done = f;
    return f;
  };

  const status = (s: Session): StorageEmuResponse => ({ status: 308, headers: s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {} });

  async function putChunk(req: StorageEmuRequest): Promise<StorageEmuResponse> {
    const id = req.query.get('upload_id') ?? '';
    const s = sessions.get(id);
    if (!s) throw new StorageEmuError({ status: 404, body: { error: { code: 404, message: 'Upload session not found or expired: start a new resumable upload.' } } });
    if (s.done) { await req.text(); return { status: 200, body: resource(s.done, s.fields) }; }
    const cr = String(req.headers['content-range'] ?? '');
    const len = Number(req.headers['content-length'] ?? 0);
    const asking = /^bytes \*\/(\d+|\*)$/.exec(cr);
    if (asking || (!cr && len === 0)) {
      await req.text();
      const total = asking && asking[1] !== '*' ? Number(asking[1]) : null;
      if (total !== null && total === s.received && (s.declared === null || s.declared === total)) {
        const f = finish(s);
        return { status: 200, body: resource(f, s.fields) };
      }
      return status(s);
    }
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(cr);
    if (!m) throw gError(400, `Failed to parse Content-Range header.`, 'badContent');
    const first = Number(m[1]);
    const last = Number(m[2]);
    const total = m[3] === '*' ? null : Number(m[3]);
    if (last < first || last - first + 1 !== len) throw gError(400, `Content-Range ${cr} does not match the ${len} bytes sent.`, 'badContent');
    if (total !== null && s.declared !== null && total !== s.declared) throw gError(400, `Content-Range total ${total} differs from X-Upload-Content-Length ${s.declared}.`, 'badContent');
    if (total !== null && last >= total) throw gError(400, `Content-Range ${cr}: the last byte is past the total.`, 'badContent');
    if (first > s.received) {
      throw gError(400, `Invalid request. According to the Content-Range header, the upload offset is ${first} byte(s), which exceeds already uploaded size of ${s.received} byte(s).`, 'badRequest');
    }
    const isLast = total !== null && last + 1 === total;
    if (!isLast && len % DRIVE_CHUNK_UNIT !== 0) {
      throw gError(400, `Invalid request. The number of bytes uploaded is required to be equal or greater than ${DRIVE_CHUNK_UNIT}, except for the final request (it's recommended to be the exact multiple of ${DRIVE_CHUNK_UNIT}). The received request contained ${len} bytes, which does not meet this requirement.`, 'badRequest');
    }
    // A retried chunk that overlaps what arrived already: the known bytes are skipped, the rest appended.
    const skip = s.received - first;
    if (skip >= len) { await req.text(); return status(s); }
    const r = await receive(req.raw, s.file, { append: true, skip, limit: len - skip, onData: (b) => s.md5.update(b) });
    s.received += r.bytes;
    if (isLast && s.received === total) {
      const f = finish(s);
      return { status: 200, body: resource(f, s.fields) };
    }
    return status(s);
  }

  /**
   * uploadType=multipart (metadata then media, multipart/related) and uploadType=media: for small files (Google
   * says 5 MB and less), so the body is read whole here; the media goes to disk at once.
   */
  async function simpleUpload(req: StorageEmuRequest, type: 'multipart' | 'media'): Promise<StorageEmuResponse> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of req.raw) { n += (c as Buffer).length; if (n > 5_242_880 + 65_536) throw gError(413, 'Request Too Large: use a resumable upload above 5 MB', 'uploadTooLarge'); chunks.push(c as Buffer); }
    const body = Buffer.concat(chunks);
    let meta: { name?: string; mimeType?: string; parents?: string[] } = {};
    let media: Buffer = body;
    let mediaType = String(req.headers['content-type'] ?? 'application/octet-stream');
    if (type === 'multipart') {
      const b = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(mediaType);
      if (!/^multipart\/related/i.test(mediaType) || !b) throw gError(400, 'Invalid multipart request: Content-Type must be multipart/related with a boundary.', 'badContent');
      const delim = Buffer.from(`--${b[1] ?? b[2]}`);
      const parts: { head: string; data: Buffer }[] = [];
      let at = body.indexOf(delim);
      while (at >= 0) {
        const next = body.indexOf(delim, at + delim.length);
        if (next < 0) break;
        const part = body.subarray(at + delim.length + 2, next - 2);
        const sep = part.indexOf('\r\n\r\n');
        parts.push({ head: part.subarray(0, sep).toString('utf8'), data: part.subarray(sep + 4) });
        at = next;
      }
      if (parts.length !== 2) throw gError(400, `Invalid multipart request with ${parts.length} mime parts.`, 'badContent');
      try { meta = JSON.parse(parts[0].data.toString('utf8')); } catch { throw gError(400, 'Invalid multipart request: the metadata part is not JSON.', 'badContent'); }
      media = parts[1].data;
      mediaType = /content-type:\s*([^\r\n;]+)/i.exec(parts[1].head)?.[1] ?? 'application/octet-stream';
    }
    const s: Session = {
      id: 'simple', meta: { name: meta.name ?? 'Untitled', mimeType: meta.mimeType ?? mediaType, parents: meta.parents ?? ['root'] },
      declared: media.length, received: media.length, file: emu.newFile(), md5: createHash('md5').update(media), fields: req.query.get('fields'),
    };
    writeFileSync(s.file, media);
    return { status: 200, body: resource(finish(s), s.fields) };
  }

  const routes: [string, string, (req: StorageEmuRequest) => Promise<StorageEmuResponse> | StorageEmuResponse][] = [
    ['POST', '/upload/drive/v3/files', async (req) => {
      const type = req.query.get('uploadType');
      if (type === 'multipart' || type === 'media') return simpleUpload(req, type);
      if (type !== 'resumable') throw gError(400, `Invalid value for uploadType: ${type ?? '(none)'}`, 'invalidParameter', { location: 'uploadType', locationType: 'parameter' });
      const meta = await req.json<{ name?: string; mimeType?: string; parents?: string[] }>();
      const declaredRaw = req.headers['x-upload-content-length'];
      const declared = declaredRaw === undefined ? null : Number(declaredRaw);
      if (declared !== null && !(Number.isInteger(declared) && declared >= 0)) throw gError(400, 'Invalid X-Upload-Content-Length header.', 'badRequest');
      if (meta.parents && (!Array.isArray(meta.parents) || meta.parents.some((p) => p !== 'root' && !files.has(p) && !/^folder-/.test(p)))) {
        throw gError(404, `File not found: ${String(meta.parents)}.`, 'notFound', { location: 'fileId', locationType: 'parameter' });
      }
      const s: Session = {
        id: 'ADPycd' + randomBytes(24).toString('base64url'),
        meta: { name: meta.name ?? 'Untitled', mimeType: meta.mimeType ?? String(req.headers['x-upload-content-type'] ?? 'application/octet-stream'), parents: meta.parents ?? ['root'] },
        declared, received: 0, file: emu.newFile(), md5: createHash('md5'), fields: req.query.get('fields'),
      };
      sessions.set(s.id, s);
      return { status: 200, headers: { location: `${baseUrl}/upload/drive/v3/files?uploadType=resumable&upload_id=${s.id}`, 'x-guploader-uploadid': s.id }, body: '' };
    }],
    ['PUT', '/upload/drive/v3/files', putChunk],
    ['GET', '/drive/v3/files/:id', (req) => ({ status: 200, body: resource(getFile(req.params.id), req.query.get('fields')) })],
    ['POST', '/drive/v3/files/:id/permissions', async (req) => {
      const f = getFile(req.params.id);
      const p = await req.json<{ type?: string; role?: string; domain?: string; emailAddress?: string; allowFileDiscovery?: boolean }>();
      if (!p.role) throw gError(400, 'The permission role field is required.', 'required', { location: 'permission.role', locationType: 'other' });
      if (!['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader'].includes(p.role)) throw gError(400, `The permission role ${p.role} is invalid.`, 'invalid', { location: 'permission.role', locationType: 'other' });
      if (!p.type) throw gError(400, 'The permission type field is required.', 'required', { location: 'permission.type', locationType: 'other' });
      if (!['user', 'group', 'domain', 'anyone'].includes(p.type)) throw gError(400, `The permission type ${p.type} is invalid.`, 'invalid', { location: 'permission.type', locationType: 'other' });
      if (p.type === 'domain' && !p.domain) throw gError(400, 'The permission domain field is required.', 'required', { location: 'permission.domain', locationType: 'other' });
      if (p.type === 'domain' && p.domain !== domain) throw gError(403, `The domain ${p.domain} is not the account's domain.`, 'invalidSharingRequest');
      if ((p.type === 'user' || p.type === 'group') && !p.emailAddress) throw gError(400, 'The permission emailAddress field is required.', 'required', { location: 'permission.emailAddress', locationType: 'other' });
      const perm = { id: p.type === 'anyone' ? 'anyoneWithLink' : p.type === 'domain' ? `${domain}-domain` : randomBytes(8).toString('hex'), type: p.type, role: p.role, ...(p.domain ? { domain: p.domain } : {}) };
      f.permissions = [...f.permissions.filter((x) => x.id !== perm.id), perm];
      return { status: 200, body: { kind: 'drive#permission', ...perm } };
    }],
    ['GET', '/drive/v3/about', () => ({ status: 200, body: { kind: 'drive#about', user: { kind: 'drive#user', displayName: 'Patchbay Emulator', emailAddress: `storage@${domain}`, me: true } } })],
  ];

  const emu = await startStorageEmulator({
    account: o,
    routes,
    oauthEndpoints: { authorizePath: '/o/oauth2/v2/auth', tokenPath: '/token', accessTokenTtlSec: 3599 },
    // The session URI is the credential of a resumable upload's chunks.
    isPublic: (req) => req.method === 'PUT' && req.path === '/upload/drive/v3/files' && req.query.has('upload_id'),
    unauthorized: () => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      body: { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }], status: 'UNAUTHENTICATED' } },
    }),
    rateLimited: () => ({ status: 429, body: { error: { code: 429, message: 'Rate Limit Exceeded', errors: [{ message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'userRateLimitExceeded' }] } } }),
    notFound: (req) => ({ status: 404, body: { error: { code: 404, message: `Not Found: ${req.method} ${req.path}`, errors: [{ message: 'Not Found', domain: 'global', reason: 'notFound' }] } } }),
  });
  baseUrl = emu.url;
  return Object.assign(emu, {
    store: {
      files: () => [...files.values()],
      file: (id: string) => files.get(id),
      async sha256(id: string) {
        const f = files.get(id);
        if (!f) throw new Error(`no file ${id}`);
        return (await hashFiles([f.file], 'sha256')).toString('hex');
      },
      sessions: () => [...sessions.values()].filter((s) => !s.done).map((s) => ({ id: s.id, received: s.received, total: s.declared })),
    },
    dropSession(id: string) { const s = sessions.get(id); if (s) { dropFile(s.file); sessions.delete(id); } },
  });
}
