// Uploads a stream to Google Drive with a resumable upload: the session is opened with the file's metadata (its
// URI comes back in Location), then chunks of 4 MiB (multiples of 256 KiB) are PUT with their Content-Range; a
// 308 says how far Drive got (its Range), so a chunk Drive took only in part is completed from there and a
// retried one is never stored twice. The total is sent when known (`/*` until the last chunk otherwise). Then a
// permission (anyone with the link, or the account's domain) and the file's webViewLink. One chunk in memory.
import { PatchbayError } from '../../core/errors';
import type { HttpResponse } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { chunksOf, contentRange, splitKey, toNodeStream, type CloudFileRef, type CloudUploadArgs } from '../kit/chunked-upload';
import { createDriveClient } from './client';

export const DRIVE_CHUNK = 4 * 1024 * 1024;
const UNIT = 256 * 1024;

interface DriveFileBody { id: string; name: string; mimeType?: string; size?: string; md5Checksum?: string; webViewLink?: string }

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** How many bytes Drive holds, from a 308's Range (`bytes=0-N`; none yet without one). */
const heldBy = (res: HttpResponse) => {
  const m = /bytes=0-(\d+)/.exec(res.headers.get('range') ?? '');
  return m ? Number(m[1]) + 1 : 0;
};

export async function uploadToGdrive(call: ConnectorCall, a: CloudUploadArgs): Promise<CloudFileRef> {
  const drive = createDriveClient(call);
  const creds = call.conn.credentials ?? {};
  const folderId = str(creds.folderId) ?? 'root';
  const { name } = splitKey(a.key);
  const scope = a.linkScope ?? 'anyone';
  const domain = str(creds.domain);
  if (scope === 'organization' && !domain) throw new PatchbayError('invalid_params', 'Sharing with the organisation needs the Google Workspace domain: set it in the Google Drive connection', { path: ['domain'] });
  const chunkSize = Math.max(UNIT, Math.floor((a.chunkSize ?? DRIVE_CHUNK) / UNIT) * UNIT);
  const mimeType = a.contentType || 'application/octet-stream';
  const body = toNodeStream(a.body);
  try {
    const init = await drive.request({
      method: 'POST', path: '/upload/drive/v3/files', retry: true,
      query: { uploadType: 'resumable', fields: 'id,name,mimeType,size,md5Checksum,webViewLink', supportsAllDrives: true },
      headers: { 'x-upload-content-type': mimeType, ...(a.size !== null ? { 'x-upload-content-length': String(a.size) } : {}) },
      body: { name, mimeType, parents: [folderId], description: `Stored by Patchbay: ${a.key}` },
    });
    const session = init.headers.get('location');
    if (!session) throw new PatchbayError('upstream_error', 'Google Drive opened no upload session (no Location)');
    let offset = 0;
    let file: DriveFileBody | null = null;
    const put = (bytes: Uint8Array, range: string) => drive.request<DriveFileBody | null>({ method: 'PUT', path: session, raw: bytes, headers: { 'content-type': mimeType, 'content-range': range } });
    for await (const chunk of chunksOf(body, chunkSize)) {
      const last = a.size !== null ? offset + chunk.length >= a.size : chunk.length < chunkSize;
      const total = last ? offset + chunk.length : a.size;
      // Until Drive holds the whole chunk: a 308 whose Range stops short asks for the rest of it.
      let sent = 0;
      for (let tries = 0; ; tries++) {
        const res = await put(chunk.subarray(sent), contentRange(offset + sent, chunk.length - sent, total));
        if (res.status === 200 || res.status === 201) { file = res.body; break; }
        const held = heldBy(res);
        if (held >= offset + chunk.length) break;
        if (held < offset + sent || tries > 5) throw new PatchbayError('upstream_error', `Google Drive holds ${held} bytes of the upload, expected at least ${offset + sent}`);
        sent = held - offset;
      }
      offset += chunk.length;
      if (file) break;
    }
    if (!file) {
      // The stream ended on a chunk boundary (or was empty) with its length unknown until now: say the total.
      const res = offset === 0 ? await put(new Uint8Array(0), 'bytes */0') : await put(new Uint8Array(0), `bytes */${offset}`);
      if (res.status !== 200 && res.status !== 201) throw new PatchbayError('upstream_error', `Google Drive did not complete the upload (${res.status}, holds ${heldBy(res)} of ${offset} bytes)`);
      file = res.body;
    }
    if (!file?.id) throw new PatchbayError('upstream_error', 'Google Drive completed the upload without a file');
    await drive.request({
      method: 'POST', path: `/drive/v3/files/${encodeURIComponent(file.id)}/permissions`, retry: true,
      query: { supportsAllDrives: true, fields: 'id,type,role' },
      body: scope === 'anyone' ? { type: 'anyone', role: 'reader', allowFileDiscovery: false } : { type: 'domain', role: 'reader', domain, allowFileDiscovery: false },
    });
    const link = file.webViewLink ?? (await drive.request<DriveFileBody>({ path: `/drive/v3/files/${encodeURIComponent(file.id)}`, query: { fields: 'webViewLink', supportsAllDrives: true } })).body.webViewLink;
    if (!link) throw new PatchbayError('upstream_error', 'Google Drive gave the file no webViewLink');
    return {
      system: 'gdrive', fileId: file.id, key: `${folderId}/${file.name ?? name}`, size: Number(file.size ?? offset), etag: file.md5Checksum ?? null,
      contentType: a.contentType ?? null, url: link, expiresAt: null, uploadedAt: new Date().toISOString(),
    };
  } catch (err) {
    body.destroy();
    throw err;
  }
}
