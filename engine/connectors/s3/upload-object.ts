// Uploads a stream to S3 without holding it: lib-storage's Upload cuts it into parts (multipart above one part,
// a plain PutObject below) with at most `queueSize` parts in memory at once, then links the object: a
// pre-signed GET URL with the asked lifetime, or the object URL.
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { defineBlock, OUT_PORT, type ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import { objectUrl, s3ForConnection } from './client';

/** S3's longest pre-signed lifetime with SigV4: 7 days. */
export const MAX_LINK_LIFETIME_SEC = 604_800;
export const PART_SIZE = 8 * 1024 * 1024;

export const storedObjectSchema = z.object({
  system: z.literal('s3'),
  bucket: z.string(),
  key: z.string(),
  size: z.number(),
  etag: z.string().nullable(),
  contentType: z.string().nullable(),
  /** What to hand on (a CRM log's recording link): the pre-signed URL, or the object URL. */
  url: z.string(),
  /** When a pre-signed url stops working; null for an object URL. */
  expiresAt: z.string().nullable(),
  uploadedAt: z.string(),
});
export type StoredObjectRef = z.infer<typeof storedObjectSchema>;

export interface UploadArgs {
  key: string;
  body: Readable | ReadableStream<Uint8Array>;
  contentType?: string | null;
  bucket?: string;
  /** 0: the object URL; else a pre-signed GET URL valid this long. */
  linkLifetimeSec: number;
  signal?: AbortSignal;
  /** Parts in flight at once (memory ≈ queueSize × 8 MiB). */
  queueSize?: number;
}

function s3Problem(err: unknown, bucket: string): PatchbayError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || status === 403) return new PatchbayError('connection_auth', `S3 refused the credentials (${e.name ?? status}): reconnect S3 storage`, { cause: err });
  if (e.name === 'NoSuchBucket') return new PatchbayError('invalid_params', `The bucket "${bucket}" does not exist`, { path: ['bucket'], cause: err });
  if (e.name === 'AbortError') return new PatchbayError('cancelled', 'The upload was cancelled', { cause: err });
  return new PatchbayError('upstream_error', `S3 upload failed: ${e.name ?? ''} ${e.message ?? String(err)}`.trim(), { cause: err });
}

export async function uploadObject(conn: ConnectionHandle, a: UploadArgs): Promise<StoredObjectRef> {
  const t = s3ForConnection(conn, a.bucket);
  const lifetime = Math.min(MAX_LINK_LIFETIME_SEC, Math.max(0, Math.round(a.linkLifetimeSec)));
  const body = a.body instanceof Readable ? a.body : Readable.fromWeb(a.body as import('node:stream/web').ReadableStream<Uint8Array>);
  try {
    const upload = new Upload({
      client: t.client,
      params: { Bucket: t.bucket, Key: a.key, Body: body, ContentType: a.contentType ?? 'application/octet-stream' },
      partSize: PART_SIZE,
      queueSize: a.queueSize ?? 2,
      leavePartsOnError: false,
      abortController: a.signal ? abortFrom(a.signal) : undefined,
    });
    await upload.done();
    const head = await t.client.send(new HeadObjectCommand({ Bucket: t.bucket, Key: a.key }));
    const url = lifetime > 0 ? await getSignedUrl(t.client, new GetObjectCommand({ Bucket: t.bucket, Key: a.key }), { expiresIn: lifetime }) : objectUrl(t, a.key);
    return {
      system: 's3', bucket: t.bucket, key: a.key, size: Number(head.ContentLength ?? 0), etag: head.ETag?.replace(/"/g, '') ?? null, contentType: head.ContentType ?? null,
      url, expiresAt: lifetime > 0 ? new Date(Date.now() + lifetime * 1000).toISOString() : null, uploadedAt: new Date().toISOString(),
    };
  } catch (err) {
    body.destroy();
    throw err instanceof PatchbayError ? err : s3Problem(err, t.bucket);
  } finally {
    t.client.destroy();
  }
}

/** A fresh link to an object already stored (a pre-signed URL about to expire), without uploading it again. */
export async function linkObject(conn: ConnectionHandle, ref: Pick<StoredObjectRef, 'bucket' | 'key'>, linkLifetimeSec: number): Promise<{ url: string; expiresAt: string | null }> {
  const t = s3ForConnection(conn, ref.bucket);
  const lifetime = Math.min(MAX_LINK_LIFETIME_SEC, Math.max(0, Math.round(linkLifetimeSec)));
  try {
    const url = lifetime > 0 ? await getSignedUrl(t.client, new GetObjectCommand({ Bucket: t.bucket, Key: ref.key }), { expiresIn: lifetime }) : objectUrl(t, ref.key);
    return { url, expiresAt: lifetime > 0 ? new Date(Date.now() + lifetime * 1000).toISOString() : null };
  } finally { t.client.destroy(); }
}

function abortFrom(signal: AbortSignal): AbortController {
  const ac = new AbortController();
  if (signal.aborted) ac.abort(); else signal.addEventListener('abort', () => ac.abort(), { once: true });
  return ac;
}

/** A key for an object: path segments kept, anything odd replaced (S3 allows it, but links and consoles stumble). */
export function safeKey(key: string): string {
  const k = key.replace(/^\/+/, '').replace(/[^A-Za-z0-9!_.*'()/=+@-]/g, '_').replace(/\/{2,}/g, '/');
  if (!k) throw new PatchbayError('invalid_params', 'The object key is empty', { path: ['key'] });
  if (Buffer.byteLength(k) > 1024) throw new PatchbayError('invalid_params', 'The object key is longer than 1024 bytes', { path: ['key'] });
  return k;
}

export const uploadFromUrlBlock = defineBlock({
  id: 's3.uploadFromUrl',
  effect: { what: 'Upload an object to S3' },
  version: 1,
  title: 'S3: upload from URL',
  description: 'Streams a file from a URL into an S3 bucket (multipart for large files, never held in memory) and returns its link: pre-signed for the given lifetime, or the object URL.',
  category: 'Storage',
  icon: 'upload',
  connector: 's3',
  params: z.object({
    url: z.url().describe('Where to download the file from'),
    key: z.string().min(1).max(1024).describe('Object key, e.g. recordings/{{ trigger.callId }}.wav'),
    bucket: z.string().max(63).optional().describe('Default: the connection\'s bucket'),
    contentType: z.string().max(255).optional(),
    linkLifetimeSec: z.number().int().min(0).max(MAX_LINK_LIFETIME_SEC).default(MAX_LINK_LIFETIME_SEC).describe('0 = the object URL; else a pre-signed link valid this long'),
  }),
  output: storedObjectSchema,
  ports: OUT_PORT,
  summarize: (p) => String(p.key ?? ''),
  async run(ctx, params) {
    const conn = await ctx.connections.get('s3');
    const res = await ctx.fetch(params.url, { signal: ctx.signal });
    if (!res.ok || !res.body) throw new PatchbayError('upstream_error', `Downloading ${params.url} answered ${res.status}`, { path: ['url'] });
    return { output: await uploadObject(conn, { key: safeKey(params.key), body: res.body, contentType: params.contentType ?? res.headers.get('content-type'), bucket: params.bucket, linkLifetimeSec: params.linkLifetimeSec, signal: ctx.signal }) };
  },
});
