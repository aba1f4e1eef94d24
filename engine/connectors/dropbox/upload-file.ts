// Uploads a stream to Dropbox in an upload session: the first chunk starts it, every next one is appended at the
// offset the session has reached (a retried append that had landed answers incorrect_offset with the offset after
// it: taken as done, never sent twice), finish commits the path; then a shared link (an existing one is reused:
// shared_link_already_exists carries it). One chunk in memory at a time.
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { chunksOf, toNodeStream, type CloudFileRef, type CloudUploadArgs, type LinkScope } from '../kit/chunked-upload';
import { createDropboxClient, dropboxError, headerSafeJson, type DropboxClient } from './client';

/** Dropbox wants chunks in multiples of 4 MiB (at most 150 MB per request); one is held in memory (and fetch's copy of it). */
export const DROPBOX_CHUNK = 4 * 1024 * 1024;
const FOUR_MIB = 4 * 1024 * 1024;

const folderOf = (call: ConnectorCall) => {
  const f = typeof call.conn.credentials?.folder === 'string' && call.conn.credentials.folder.trim() ? call.conn.credentials.folder.trim() : '/Patchbay';
  return ('/' + f.replace(/^\/+|\/+$/g, '')).replace(/^\/$/, '');
};

async function sendChunk(db: DropboxClient, route: string, arg: unknown, chunk: Uint8Array) {
  return db.content.request<Record<string, any> | null>({
    method: 'POST', path: `/2/files/upload_session/${route}`, raw: chunk, retry: true,
    headers: { 'content-type': 'application/octet-stream', 'dropbox-api-arg': headerSafeJson(arg) },
  });
}

export async function uploadToDropbox(call: ConnectorCall, a: CloudUploadArgs): Promise<CloudFileRef> {
  const db = createDropboxClient(call);
  const path = `${folderOf(call)}/${a.key.replace(/^\/+/, '')}`;
  const size = Math.max(FOUR_MIB, Math.floor((a.chunkSize ?? DROPBOX_CHUNK) / FOUR_MIB) * FOUR_MIB);
  const body = toNodeStream(a.body);
  let sessionId: string | null = null;
  let offset = 0;
  try {
    for await (const chunk of chunksOf(body, size)) {
      if (!sessionId) {
        const res = await sendChunk(db, 'start', { close: false }, chunk);
        sessionId = String(res.body?.session_id ?? '');
        if (!sessionId) throw new PatchbayError('upstream_error', 'Dropbox started no upload session');
      } else {
        try {
          await sendChunk(db, 'append_v2', { cursor: { session_id: sessionId, offset }, close: false }, chunk);
        } catch (err) {
          const e = dropboxError(err);
          // An earlier attempt of this very append landed (its answer was lost): Dropbox is past it already.
          if (!(e?.['.tag'] === 'incorrect_offset' && e.correct_offset === offset + chunk.length)) throw err;
        }
      }
      offset += chunk.length;
    }
    if (!sessionId) sessionId = String((await sendChunk(db, 'start', { close: false }, new Uint8Array(0))).body?.session_id ?? '');
    const done = await sendChunk(db, 'finish', { cursor: { session_id: sessionId, offset }, commit: { path, mode: 'add', autorename: true, mute: true } }, new Uint8Array(0));
    const meta = done.body ?? {};
    const url = await sharedLink(db, String(meta.path_lower ?? path), a.linkScope ?? 'anyone');
    return {
      system: 'dropbox', fileId: String(meta.id), key: String(meta.path_display ?? path), size: Number(meta.size ?? offset), etag: typeof meta.content_hash === 'string' ? meta.content_hash : null,
      contentType: a.contentType ?? null, url, expiresAt: null, uploadedAt: new Date().toISOString(),
    };
  } catch (err) {
    body.destroy();
    throw err;
  }
}

/** A link to the file: a new shared link, or the one it has (Dropbox refuses a second with shared_link_already_exists). */
export async function sharedLink(db: DropboxClient, path: string, scope: LinkScope): Promise<string> {
  try {
    const res = await db.api.request<{ url: string }>({
      method: 'POST', path: '/2/sharing/create_shared_link_with_settings', retry: true,
      body: { path, settings: { audience: scope === 'anyone' ? 'public' : 'team', access: 'viewer', allow_download: true } },
    });
    return res.body.url;
  } catch (err) {
    const e = dropboxError(err);
    if (e?.['.tag'] !== 'shared_link_already_exists') throw err;
    const known = e.shared_link_already_exists?.metadata?.url;
    if (typeof known === 'string') return known;
    const list = await db.api.request<{ links: { url: string }[] }>({ method: 'POST', path: '/2/sharing/list_shared_links', body: { path, direct_only: true }, retry: true });
    if (!list.body.links[0]) throw new PatchbayError('upstream_error', `Dropbox has a shared link for ${path} but did not list it`);
    return list.body.links[0].url;
  }
}
