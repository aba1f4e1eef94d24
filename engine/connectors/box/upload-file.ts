// Uploads a stream to Box. From 20 MB on (Box's minimum for it): a chunked upload session — parts of the size Box
// names, each PUT with its Content-Range and `Digest: sha=` (its SHA-1), the whole file's SHA-1 computed on the
// way and sent with the commit; a retried part Box had taken (416 range_overlaps_existing_part) is checked
// against the session's parts, never sent twice; a name taken (item_name_in_use) becomes a new version of that
// file. Below 20 MB: the simple multipart upload. Box needs the size first: a stream of unknown length is
// spooled to disk. Then a shared link (open, or company). One part in memory at a time.
import { createHash } from 'node:crypto';
import { PatchbayError } from '../../core/errors';
import type { HttpClient } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { chunksOf, splitKey, toNodeStream, withKnownSize, type CloudFileRef, type CloudUploadArgs } from '../kit/chunked-upload';
import { boxCode, createBoxClient } from './client';

export const BOX_CHUNKED_MIN = 20_000_000;

interface BoxFileBody { id: string; name: string; size?: number; sha1?: string; shared_link?: { url: string } | null }
interface UploadSession { id: string; part_size: number; session_endpoints: { upload_part: string; commit: string; list_parts: string; abort: string } }
interface PartBody { part_id: string; offset: number; size: number; sha1: string }

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function uploadToBox(call: ConnectorCall, a: CloudUploadArgs): Promise<CloudFileRef> {
  const box = createBoxClient(call);
  const folderId = str(call.conn.credentials?.folderId) ?? '0';
  const { name } = splitKey(a.key);
  const known = await withKnownSize(toNodeStream(a.body), a.size);
  try {
    const file = known.size >= BOX_CHUNKED_MIN ? await chunked(box.upload, known.body, known.size, name, folderId) : await simple(box.upload, known.body, known.size, name, folderId);
    const shared = await box.api.request<BoxFileBody>({
      method: 'PUT', path: `/files/${encodeURIComponent(file.id)}`, query: { fields: 'shared_link,name,size,sha1' },
      body: { shared_link: { access: (a.linkScope ?? 'anyone') === 'anyone' ? 'open' : 'company' } },
    });
    if (!shared.body.shared_link?.url) throw new PatchbayError('upstream_error', 'Box gave the file no shared link');
    return {
      system: 'box', fileId: file.id, key: `${folderId}/${file.name}`, size: Number(file.size ?? known.size), etag: file.sha1 ?? null,
      contentType: a.contentType ?? null, url: shared.body.shared_link.url, expiresAt: null, uploadedAt: new Date().toISOString(),
    };
  } catch (err) {
    known.body.destroy();
    throw err;
  } finally { known.cleanup(); }
}

async function chunked(upload: HttpClient, body: import('node:stream').Readable, size: number, name: string, folderId: string): Promise<BoxFileBody> {
  let session: UploadSession;
  try {
    session = (await upload.request<UploadSession>({ method: 'POST', path: '/files/upload_sessions', body: { folder_id: folderId, file_size: size, file_name: name }, retry: true })).body;
  } catch (err) {
    const e = boxCode(err);
    const existing = e?.code === 'item_name_in_use' ? str(e.body.context_info?.conflicts?.id) : null;
    if (!existing) throw err;
    // Stored before (a run retried after its upload): a new version of that file, not a second file.
    session = (await upload.request<UploadSession>({ method: 'POST', path: `/files/${encodeURIComponent(existing)}/upload_sessions`, body: { file_size: size }, retry: true })).body;
  }
  const whole = createHash('sha1');
  const parts: PartBody[] = [];
  let offset = 0;
  try {
    for await (const chunk of chunksOf(body, session.part_size)) {
      const sha1 = createHash('sha1').update(chunk).digest();
      whole.update(chunk);
      try {
        const res = await upload.request<{ part: PartBody }>({
          method: 'PUT', path: session.session_endpoints.upload_part, raw: chunk,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${offset}-${offset + chunk.length - 1}/${size}`, digest: `sha=${sha1.toString('base64')}` },
        });
        parts.push(res.body.part);
      } catch (err) {
        if (boxCode(err)?.code !== 'range_overlaps_existing_part') throw err;
        // A retry of a part whose answer was lost: Box has it if the session lists it with this SHA-1.
        const listed = await upload.request<{ entries: PartBody[] }>({ path: session.session_endpoints.list_parts, query: { limit: 1000 } });
        const had = listed.body.entries.find((p) => p.offset === offset && p.sha1 === sha1.toString('hex'));
        if (!had) throw err;
        parts.push(had);
      }
      offset += chunk.length;
    }
    if (offset !== size) throw new PatchbayError('upstream_error', `The recording had ${offset} bytes, ${size} were announced`);
    for (let tries = 0; ; tries++) {
      const res = await upload.request<{ entries?: BoxFileBody[] }>({
        method: 'POST', path: session.session_endpoints.commit, retry: true,
        headers: { digest: `sha=${whole.copy().digest('base64')}` }, body: { parts, attributes: {} },
      });
      // 202: Box is still processing the parts; it says when to ask again.
      if (res.status === 202 && tries < 20) { await sleep(Math.min(10_000, Number(res.headers.get('retry-after') ?? 1) * 1000)); continue; }
      const file = res.body.entries?.[0];
      if (!file?.id) throw new PatchbayError('upstream_error', 'Box committed the upload session without a file');
      return file;
    }
  } catch (err) {
    await upload.request({ method: 'DELETE', path: session.session_endpoints.abort }).catch(() => {});
    throw err;
  }
}

/** Below Box's chunked minimum (at most 20 MB): one multipart request, `attributes` before `file`. */
async function simple(upload: HttpClient, body: import('node:stream').Readable, size: number, name: string, folderId: string): Promise<BoxFileBody> {
  const boundary = `patchbay-${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 24)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attributes"\r\n\r\n${JSON.stringify({ name, parent: { id: folderId } })}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const all = Buffer.allocUnsafe(head.length + size + tail.length);
  head.copy(all, 0);
  let at = head.length;
  for await (const c of body) { const b = c as Buffer; if (at + b.length > head.length + size) throw new PatchbayError('upstream_error', `The recording had more than the ${size} bytes announced`); b.copy(all, at); at += b.length; }
  if (at !== head.length + size) throw new PatchbayError('upstream_error', `The recording had ${at - head.length} bytes, ${size} were announced`);
  tail.copy(all, at);
  const sha1 = createHash('sha1').update(all.subarray(head.length, head.length + size)).digest('hex');
  try {
    const res = await upload.request<{ entries: BoxFileBody[] }>({ method: 'POST', path: '/files/content', raw: all, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-md5': sha1 }, retry: true });
    return res.body.entries[0];
  } catch (err) {
    const e = boxCode(err);
    const existing = e?.code === 'item_name_in_use' ? str(e.body.context_info?.conflicts?.id) : null;
    if (!existing) throw err;
    // Stored before with the same bytes (a retried run): that file.
    if (e?.body.context_info?.conflicts?.sha1 === sha1) return { id: existing, name, size, sha1 };
    throw new PatchbayError('upstream_error', `Box already has a different file named ${name} in the folder`, { cause: err });
  }
}
