// A Microsoft Graph (OneDrive / SharePoint document library) emulator on loopback: upload sessions
// (createUploadSession by path under the root or under a parent item, on /me/drive or /drives/{id}; the
// pre-authenticated uploadUrl takes byte ranges with Content-Range — fragments but the last in multiples of
// 320 KiB, in order, the total fixed by the first — answering 202 with nextExpectedRanges and, for the last
// fragment, 201 Created (200 when it replaced a file) with the DriveItem; GET for the status, DELETE to cancel),
// createLink (view / edit, anonymous / organization; an existing link answers 200), the drive and its items, and the
// Microsoft identity platform's token endpoint. Errors are Graph's `{ error: { code, message, innerError } }`;
// an Authorization header on the uploadUrl is refused as Graph may; 429 with Retry-After. Fragments stream to disk,
// hashed on the way (file.hashes.sha1Hash and sha256Hash).
import { createHash, randomBytes, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { dropFile, hashFiles, receive, startStorageEmulator, StorageEmuError, type RunningStorageEmulator, type StorageAccountOptions, type StorageEmuRequest, type StorageEmuResponse } from '../../kit/storage-emulator';

export type OnedriveEmulatorOptions = StorageAccountOptions;

export interface DriveItem { id: string; name: string; parentId: string; path: string; size: number; sha1: string; sha256: string; mimeType: string; created: string; modified: string; file: string; links: { id: string; type: string; scope: string; webUrl: string }[] }

export interface OnedriveEmulator extends RunningStorageEmulator {
  driveId: string;
  store: {
    items(): DriveItem[];
    item(id: string): DriveItem | undefined;
    byPath(path: string): DriveItem | undefined;
    sha256(id: string): Promise<string>;
    sessions(): { id: string; received: number; total: number | null }[];
  };
}

/** Fragments but the last must be multiples of 320 KiB. */
export const GRAPH_FRAGMENT_UNIT = 320 * 1024;
const MAX_FRAGMENT = 60 * 1024 * 1024;

/** Graph sets an item's MIME type from its extension. */
const mimeOf = (name: string) => ({ wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', m4a: 'audio/mp4', webm: 'audio/webm', txt: 'text/plain' } as Record<string, string>)[name.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';

interface Session { id: string; parentId: string; parentPath: string; name: string; conflict: string; received: number; total: number | null; file: string; sha1: Hash; sha256: Hash; expires: string }
interface Folder { id: string; path: string }

const graphError = (status: number, code: string, message: string): StorageEmuError =>
  new StorageEmuError({ status, body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } } });

export async function startOnedriveEmulator(o: OnedriveEmulatorOptions = {}): Promise<OnedriveEmulator> {
  const driveId = 'b!' + randomBytes(24).toString('base64url');
  const rootId = '01EMULATORROOT0000000000000000000';
  const folders = new Map<string, Folder>([[rootId, { id: rootId, path: '' }]]); // id → folder; path '' = root
  const items = new Map<string, DriveItem>();
  const sessions = new Map<string, Session>();
  let baseUrl = '';

  const newId = () => '01' + randomBytes(16).toString('hex').toUpperCase();

  /** A folder path under the root, created as needed (Graph creates the parents of an upload's path). */
  const folderAt = (path: string): Folder => {
    let cur = folders.get(rootId)!;
    for (const seg of path.split('/').filter(Boolean)) {
      const p = cur.path ? `${cur.path}/${seg}` : seg;
      let next = [...folders.values()].find((f) => f.path.toLowerCase() === p.toLowerCase());
      if (!next) { next = { id: newId(), path: p }; folders.set(next.id, next); }
      cur = next;
    }
    return cur;
  };

  const itemBody = (i: DriveItem) => ({
    '@odata.context': `${baseUrl}/v1.0/$metadata#drives('${driveId}')/items/$entity`,
    id: i.id, name: i.name, size: i.size, createdDateTime: i.created, lastModifiedDateTime: i.modified,
    webUrl: `${baseUrl}/personal/emulator/Documents/${i.path.split('/').map(encodeURIComponent).join('/')}`,
    eTag: `"{${i.id}},${i.modified}"`, cTag: `"c:{${i.id}},1"`,
    parentReference: { driveId, driveType: 'business', id: i.parentId, path: `/drive/root:${i.path.includes('/') ? '/' + i.path.slice(0, i.path.lastIndexOf('/')) : ''}` },
    file: { mimeType: i.mimeType, hashes: { sha1Hash: i.sha1.toUpperCase(), sha256Hash: i.sha256.toUpperCase() } },
  });

  const sessionStatus = (s: Session) => ({ expirationDateTime: s.expires, nextExpectedRanges: [`${s.received}-${s.total !== null ? s.total - 1 : ''}`] });

  async function createSession(req: StorageEmuRequest, parent: Folder, relPath: string): Promise<StorageEmuResponse> {
    const b = await req.json<{ item?: { '@microsoft.graph.conflictBehavior'?: string; name?: string } }>();
    const segs = relPath.split('/').filter(Boolean);
    const name = segs.pop();
    if (!name || /[<>:"|?*\\]/.test(name) || name.length > 255) throw graphError(400, 'invalidRequest', 'Invalid file name');
    const folder = segs.length ? folderAt(parent.path ? `${parent.path}/${segs.join('/')}` : segs.join('/')) : parent;
    const conflict = b.item?.['@microsoft.graph.conflictBehavior'] ?? 'fail';
    if (!['fail', 'replace', 'rename'].includes(conflict)) throw graphError(400, 'invalidRequest', `Invalid conflictBehavior: ${conflict}`);
    const path = folder.path ? `${folder.path}/${name}` : name;
    if (conflict === 'fail' && [...items.values()].some((i) => i.path.toLowerCase() === path.toLowerCase())) throw graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    const s: Session = { id: randomBytes(24).toString('base64url'), parentId: folder.id, parentPath: folder.path, name, conflict, received: 0, total: null, file: emu.newFile(), sha1: createHash('sha1'), sha256: createHash('sha256'), expires: new Date(Date.now() + 86_400_000).toISOString() };
    sessions.set(s.id, s);
    return { status: 200, body: { '@odata.context': `${baseUrl}/v1.0/$metadata#microsoft.graph.uploadSession`, uploadUrl: `${baseUrl}/up/${s.id}`, ...sessionStatus(s) } };
  }

  function complete(s: Session, mimeType: string): StorageEmuResponse {
    let name = s.name;
    const pathOf = (n: string) => (s.parentPath ? `${s.parentPath}/${n}` : n);
    const existing = [...items.values()].find((i) => i.path.toLowerCase() === pathOf(name).toLowerCase());
    const now = new Date().toISOString();
    sessions.delete(s.id);
    if (existing && s.conflict === 'replace') {
      dropFile(existing.file);
      Object.assign(existing, { size: s.received, sha1: s.sha1.digest('hex'), sha256: s.sha256.digest('hex'), file: s.file, modified: now });
      return { status: 200, body: itemBody(existing) };
    }
    if (existing && s.conflict === 'fail') { dropFile(s.file); throw graphError(409, 'nameAlreadyExists', 'The specified item name already exists.'); }
    if (existing) {
      const dot = name.lastIndexOf('.');
      for (let i = 1; [...items.values()].some((x) => x.path.toLowerCase() === pathOf(name).toLowerCase()); i++) name = dot > 0 ? `${s.name.slice(0, dot)} ${i}${s.name.slice(dot)}` : `${s.name} ${i}`;
    }
    const item: DriveItem = { id: newId(), name, parentId: s.parentId, path: pathOf(name), size: s.received, sha1: s.sha1.digest('hex'), sha256: s.sha256.digest('hex'), mimeType, created: now, modified: now, file: s.file, links: [] };
    items.set(item.id, item);
    return { status: 201, body: itemBody(item) };
  }

  async function putFragment(req: StorageEmuRequest): Promise<StorageEmuResponse> {
    if (req.headers.authorization) throw graphError(401, 'unauthenticated', 'The uploadUrl is pre-authenticated: do not send an Authorization header with it.');
    const s = sessions.get(req.params.id);
    if (!s) throw graphError(404, 'itemNotFound', 'The upload session was not found or has expired.');
    const cr = String(req.headers['content-range'] ?? '');
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(cr);
    if (!m) throw graphError(400, 'invalidRequest', 'Content-Range header is required, in the form bytes first-last/total.');
    const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const len = Number(req.headers['content-length'] ?? -1);
    if (last < first || last >= total || len !== last - first + 1) throw graphError(400, 'invalidRange', `The Content-Range ${cr} does not match the ${len} bytes sent.`);
    if (s.total !== null && total !== s.total) throw graphError(400, 'invalidRange', `The total size ${total} differs from the session's ${s.total}.`);
    if (len > MAX_FRAGMENT) throw graphError(413, 'requestEntityTooLarge', 'Fragments must be smaller than 60 MiB.');
    if (first < s.received) throw graphError(416, 'invalidRange', 'The uploaded fragment overlaps with data that has already been received.');
    if (first > s.received) throw graphError(416, 'invalidRange', `The uploaded fragment starts at ${first}; the next expected range starts at ${s.received}.`);
    const isLast = last + 1 === total;
    if (!isLast && len % GRAPH_FRAGMENT_UNIT !== 0) throw graphError(400, 'invalidRange', `Fragments but the last must be a multiple of 320 KiB (327,680 bytes); this one has ${len}.`);
    s.total = total;
    const r = await receive(req.raw, s.file, { append: true, limit: len, onData: (b) => { s.sha1.update(b); s.sha256.update(b); } });
    s.received += r.bytes;
    if (s.received === total) return complete(s, mimeOf(s.name));
    return { status: 202, body: sessionStatus(s) };
  }

  const itemOf = (id: string) => {
    const i = items.get(id);
    if (!i) throw graphError(404, 'itemNotFound', 'The resource could not be found.');
    return i;
  };

  async function createLink(req: StorageEmuRequest): Promise<StorageEmuResponse> {
    const i = itemOf(req.params.id);
    const b = await req.json<{ type?: string; scope?: string }>();
    if (!b.type || !['view', 'edit', 'embed'].includes(b.type)) throw graphError(400, 'invalidRequest', `Invalid link type: ${String(b.type)}`);
    const scope = b.scope ?? 'anonymous';
    if (!['anonymous', 'organization', 'users'].includes(scope)) throw graphError(400, 'invalidRequest', `Invalid scope: ${scope}`);
    const known = i.links.find((l) => l.type === b.type && l.scope === scope);
    const link = known ?? { id: randomBytes(8).toString('hex'), type: b.type, scope, webUrl: `${baseUrl}/:u:/g/${randomBytes(12).toString('base64url')}` };
    if (!known) i.links.push(link);
    return { status: known ? 200 : 201, body: { id: link.id, roles: [b.type === 'edit' ? 'write' : 'read'], shareId: `u!${Buffer.from(link.webUrl).toString('base64url')}`, hasPassword: false, link: { type: link.type, scope: link.scope, webUrl: link.webUrl, application: { id: '1234', displayName: 'Patchbay' } } } };
  }

  const byRoot = (req: StorageEmuRequest) => createSession(req, folders.get(rootId)!, req.params.path);
  const byParent = (req: StorageEmuRequest) => {
    const parent = folders.get(req.params.parentId);
    if (!parent) throw graphError(404, 'itemNotFound', 'The parent item could not be found.');
    return createSession(req, parent, req.params.name);
  };
  const checkDrive = (h: (req: StorageEmuRequest) => Promise<StorageEmuResponse> | StorageEmuResponse) => (req: StorageEmuRequest) => {
    if (req.params.driveId !== driveId) throw graphError(404, 'itemNotFound', 'The drive could not be found.');
    return h(req);
  };

  const routes: [string, string, (req: StorageEmuRequest) => Promise<StorageEmuResponse> | StorageEmuResponse][] = [
    ['POST', '/v1.0/me/drive/root:/*path:/createUploadSession', byRoot],
    ['POST', '/v1.0/drives/:driveId/root:/*path:/createUploadSession', checkDrive(byRoot)],
    ['POST', '/v1.0/me/drive/items/:parentId:/*name:/createUploadSession', byParent],
    ['POST', '/v1.0/drives/:driveId/items/:parentId:/*name:/createUploadSession', checkDrive(byParent)],
    ['PUT', '/up/:id', putFragment],
    ['GET', '/up/:id', (req) => {
      const s = sessions.get(req.params.id);
      if (!s) throw graphError(404, 'itemNotFound', 'The upload session was not found or has expired.');
      return { status: 200, body: sessionStatus(s) };
    }],
    ['DELETE', '/up/:id', (req) => {
      const s = sessions.get(req.params.id);
      if (!s) throw graphError(404, 'itemNotFound', 'The upload session was not found or has expired.');
      dropFile(s.file); sessions.delete(s.id);
      return { status: 204 };
    }],
    ['POST', '/v1.0/me/drive/items/:id/createLink', createLink],
    ['POST', '/v1.0/drives/:driveId/items/:id/createLink', checkDrive(createLink)],
    ['GET', '/v1.0/me/drive/items/:id', (req) => ({ status: 200, body: itemBody(itemOf(req.params.id)) })],
    ['GET', '/v1.0/drives/:driveId/items/:id', checkDrive((req) => ({ status: 200, body: itemBody(itemOf(req.params.id)) }))],
    ['GET', '/v1.0/me/drive', () => ({ status: 200, body: { id: driveId, driveType: 'business', name: 'OneDrive', owner: { user: { displayName: 'Patchbay Emulator', email: 'storage@example.com' } } } })],
    ['GET', '/v1.0/me/drive/root', () => ({ status: 200, body: { id: rootId, name: 'root', root: {}, folder: { childCount: items.size } } })],
  ];

  const emu = await startStorageEmulator({
    account: o,
    routes,
    oauthEndpoints: { authorizePath: '/common/oauth2/v2.0/authorize', tokenPath: '/common/oauth2/v2.0/token', accessTokenTtlSec: 3599 },
    isPublic: (req) => req.path.startsWith('/up/'),
    unauthorized: (req) => {
      const e = graphError(401, 'InvalidAuthenticationToken', req.token ? 'Access token validation failure. Invalid audience.' : 'Access token is empty.').response;
      return { ...e, headers: { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' } };
    },
    rateLimited: () => graphError(429, 'activityLimitReached', 'The request has been throttled').response,
    notFound: (req) => graphError(400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').pop()}'.`).response,
  });
  baseUrl = emu.url;
  return Object.assign(emu, {
    driveId,
    store: {
      items: () => [...items.values()],
      item: (id: string) => items.get(id),
      byPath: (p: string) => [...items.values()].find((i) => i.path.toLowerCase() === p.replace(/^\/+/, '').toLowerCase()),
      async sha256(id: string) {
        const i = items.get(id);
        if (!i) throw new Error(`no item ${id}`);
        return (await hashFiles([i.file], 'sha256')).toString('hex');
      },
      sessions: () => [...sessions.values()].map((s) => ({ id: s.id, received: s.received, total: s.total })),
    },
  });
}
