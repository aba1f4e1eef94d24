// Uploads a stream to OneDrive (or a SharePoint library) through a Graph upload session: createUploadSession at
// the file's path (an existing file of that name is replaced: a retried run makes no second file), then fragments
// of 3.75 MiB (multiples of 320 KiB) PUT to the pre-authenticated uploadUrl with Content-Range; each 202 names the
// next expected range, so a fragment Graph took only in part is completed from there and one it took already
// (416 after a lost answer) is skipped after asking the session's status. The last fragment answers with the
// DriveItem; then a view link (anonymous, or the organisation). Graph needs the total first: a stream of unknown
// length is spooled to disk. One fragment in memory at a time.
import { PatchbayError } from '../../core/errors';
import type { HttpClient } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { chunksOf, contentRange, toNodeStream, withKnownSize, type CloudFileRef, type CloudUploadArgs } from '../kit/chunked-upload';
import { createGraphClients, graphCode } from './client';

const UNIT = 320 * 1024;
export const ONEDRIVE_FRAGMENT = 12 * UNIT;

interface DriveItemBody { id: string; name: string; size?: number; file?: { mimeType?: string; hashes?: { sha256Hash?: string; sha1Hash?: string; quickXorHash?: string } } }
interface SessionStatus { nextExpectedRanges?: string[] }

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const nextStart = (s: SessionStatus | null) => (s?.nextExpectedRanges?.[0] ? Number(s.nextExpectedRanges[0].split('-')[0]) : null);

export async function uploadToOnedrive(call: ConnectorCall, a: CloudUploadArgs): Promise<CloudFileRef> {
  const { graph, upload } = createGraphClients(call);
  const creds = call.conn.credentials ?? {};
  const driveId = str(creds.driveId);
  const drive = driveId ? `/drives/${encodeURIComponent(driveId)}` : '/me/drive';
  const folder = (str(creds.folder) ?? 'Patchbay').replace(/^\/+|\/+$/g, '');
  const path = [folder, a.key.replace(/^\/+/, '')].filter(Boolean).join('/');
  const known = await withKnownSize(toNodeStream(a.body), a.size);
  const size = Math.max(UNIT, Math.floor((a.chunkSize ?? ONEDRIVE_FRAGMENT) / UNIT) * UNIT);
  let uploadUrl: string | null = null;
  try {
    const session = await graph.request<{ uploadUrl: string }>({
      method: 'POST', path: `${drive}/root:/${path.split('/').map(encodeURIComponent).join('/')}:/createUploadSession`, retry: true,
      body: { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
    });
    uploadUrl = session.body.uploadUrl;
    let offset = 0;
    let item: DriveItemBody | null = null;
    const status = async () => nextStart((await upload.request<SessionStatus>({ path: uploadUrl! })).body);
    for await (const chunk of chunksOf(known.body, size)) {
      let sent = 0;
      for (let tries = 0; sent < chunk.length; tries++) {
        let next: number | null;
        try {
          const res = await upload.request<DriveItemBody & SessionStatus>({ method: 'PUT', path: uploadUrl, raw: chunk.subarray(sent), headers: { 'content-range': contentRange(offset + sent, chunk.length - sent, known.size) } });
          if (res.status === 200 || res.status === 201) { item = res.body; break; }
          next = nextStart(res.body);
        } catch (err) {
          // Graph has this range already (an earlier attempt landed, its answer was lost): ask how far it got.
          if (graphCode(err) !== 'invalidRange' || (err as { status?: number }).status !== 416) throw err;
          next = await status();
        }
        if (next === null || next < offset + sent || tries > 5) throw new PatchbayError('upstream_error', `OneDrive expects byte ${next ?? '?'} next, the upload is at ${offset + sent}`);
        sent = Math.min(chunk.length, next - offset);
      }
      offset += chunk.length;
      if (item) break;
    }
    if (!item && known.size === 0) throw new PatchbayError('invalid_params', 'The recording is empty: OneDrive upload sessions take no empty file', { path: ['recordingUrl'] });
    if (!item) throw new PatchbayError('upstream_error', `OneDrive did not complete the upload after ${offset} of ${known.size} bytes`);
    uploadUrl = null;
    const link = await graph.request<{ link?: { webUrl?: string } }>({
      method: 'POST', path: `${drive}/items/${encodeURIComponent(item.id)}/createLink`, retry: true,
      body: { type: 'view', scope: (a.linkScope ?? 'anyone') === 'anyone' ? 'anonymous' : 'organization' },
    });
    if (!link.body.link?.webUrl) throw new PatchbayError('upstream_error', 'OneDrive gave the file no sharing link');
    const h = item.file?.hashes;
    return {
      system: 'onedrive', fileId: item.id, key: `/${path.split('/').slice(0, -1).concat(item.name).join('/')}`, size: Number(item.size ?? known.size), etag: h?.sha256Hash ?? h?.sha1Hash ?? h?.quickXorHash ?? null,
      contentType: a.contentType ?? null, url: link.body.link.webUrl, expiresAt: null, uploadedAt: new Date().toISOString(),
    };
  } catch (err) {
    known.body.destroy();
    // An unfinished session is cancelled (its fragments are deleted), not left to expire.
    if (uploadUrl) await upload.request({ method: 'DELETE', path: uploadUrl }).catch(() => {});
    throw err;
  } finally { known.cleanup(); }
}
