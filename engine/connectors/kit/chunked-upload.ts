// What the cloud-storage connectors (Dropbox, Google Drive, Box, OneDrive) share on the client side: cutting a
// stream into chunks of an exact size without ever holding more than one chunk, spooling a stream of unknown
// length to a temp file when the vendor wants the total size before the first byte, and the stored file's
// reference that the call log links.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';

export const cloudFileSchema = z.object({
  system: z.enum(['dropbox', 'gdrive', 'box', 'onedrive']),
  /** The vendor's file id. */
  fileId: z.string(),
  /** Where it is: the path (Dropbox, OneDrive) or folder/name (Drive, Box). */
  key: z.string(),
  size: z.number(),
  /** The vendor's content hash when it gives one (Dropbox content_hash, Box sha1, Drive md5, OneDrive sha256). */
  etag: z.string().nullable(),
  contentType: z.string().nullable(),
  /** The shared link the CRM log carries. */
  url: z.string(),
  /** Shared links of cloud drives do not expire. */
  expiresAt: z.null(),
  uploadedAt: z.string(),
});
export type CloudFileRef = z.infer<typeof cloudFileSchema>;

/** Who may open the shared link: anyone with it, or people of the account's organisation (domain, company). */
export type LinkScope = 'anyone' | 'organization';

export interface CloudUploadArgs {
  /** Folder path under the connection's folder and file name, e.g. recordings/cust/call-1.wav. */
  key: string;
  body: Readable | ReadableStream<Uint8Array>;
  /** Bytes to come, when the source said (Content-Length); null = unknown. */
  size: number | null;
  contentType?: string | null;
  linkScope?: LinkScope;
  signal?: AbortSignal;
  /** Chunk size override (tests); each connector rounds it to what its vendor accepts. */
  chunkSize?: number;
}

export const toNodeStream = (body: Readable | ReadableStream<Uint8Array>): Readable =>
  body instanceof Readable ? body : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);

/**
 * The stream's bytes in chunks of exactly `size` (the last one shorter, never empty): ONE buffer is filled and
 * handed on, then refilled when the next chunk is asked for, so memory stays at one chunk whatever the stream's
 * length. A consumer must be done with a chunk (sent, retried, acknowledged) before it asks for the next.
 */
export async function* chunksOf(body: Readable, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let fill = 0;
  for await (const piece of body) {
    let c = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    while (c.length) {
      const n = Math.min(size - fill, c.length);
      c.copy(buf, fill, 0, n);
      fill += n;
      c = c.subarray(n);
      if (fill === size) { yield buf; fill = 0; }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/**
 * A stream whose length the vendor must know before the first byte (Box, OneDrive) but the source did not say:
 * copied to a temp file first (disk, not memory), then read back. `cleanup` removes it.
 */
export async function withKnownSize(body: Readable, size: number | null): Promise<{ body: Readable; size: number; cleanup(): void }> {
  if (size !== null) return { body, size, cleanup: () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-spool-'));
  const file = path.join(dir, 'body');
  try {
    await pipeline(body, createWriteStream(file));
  } catch (err) { rmSync(dir, { recursive: true, force: true }); throw err; }
  return { body: createReadStream(file), size: statSync(file).size, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Splits a key into its folder and file name. */
export function splitKey(key: string): { folder: string; name: string } {
  const parts = key.split('/').filter(Boolean);
  return { folder: parts.slice(0, -1).join('/'), name: parts[parts.length - 1] ?? 'file' };
}

/** Content-Range of a chunk: `bytes first-last/total` (`*` when the total is not known yet). */
export const contentRange = (offset: number, length: number, total: number | null) => `bytes ${offset}-${offset + length - 1}/${total ?? '*'}`;
