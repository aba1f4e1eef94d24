// An S3-compatible object store on loopback, faithful enough that the official AWS SDK for JavaScript v3 works
// against it unchanged (endpoint + forcePathStyle): SigV4 Authorization headers and pre-signed URLs are verified
// (canonical request, clock skew, expiry), payloads are checked against x-amz-content-sha256 or decoded from
// aws-chunked encoding with their CRC32 trailer, and errors are S3's XML bodies with S3's codes. Buckets:
// create, head, list (v2). Objects: put, get (with Range), head, delete. Multipart: create, upload part,
// complete (parts ascending, ETags matching, 5 MiB minimum but for the last), abort.
// Bodies stream to files in a temp folder: a 200 MB upload costs the emulator no memory.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ALGORITHM, parseAmzDate, parseQuery, signature, type SignatureInput } from '../sigv4';

export interface S3EmulatorOptions {
  port?: number;
  /** Access key id → secret access key. */
  credentials?: Record<string, string>;
  region?: string;
  /** Buckets that exist from the start. */
  buckets?: string[];
  /** Where object bytes are kept (default: a fresh temp folder, removed on close). */
  dataDir?: string;
  /** Smallest part but the last (S3: 5 MiB). */
  minPartSize?: number;
}

export interface StoredObject { bucket: string; key: string; size: number; etag: string; contentType: string; lastModified: Date; file: string; metadata: Record<string, string> }

export interface S3Emulator {
  url: string;
  port: number;
  region: string;
  close(): Promise<void>;
  store: {
    buckets(): string[];
    createBucket(name: string): void;
    object(bucket: string, key: string): StoredObject | undefined;
    objects(bucket?: string): StoredObject[];
    /** sha256 of a stored object's bytes. */
    sha256(bucket: string, key: string): Promise<string>;
    multipartUploads(): { uploadId: string; bucket: string; key: string; parts: number }[];
  };
  stats: { requests: number; byOperation: Map<string, number>; authFailures: number };
}

class S3Error extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, string> = {}) { super(message); }
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** S3's bucket naming rules (general purpose buckets). */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'may hold only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) return 'uses a reserved prefix or suffix';
  return null;
}

/** Decodes `Content-Encoding: aws-chunked` (signed or unsigned chunks, optional trailers). */
class AwsChunkedDecoder extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private remaining = -1; // bytes of chunk data still to pass on; -1 = reading a chunk header
  private done = false;
  readonly trailers: Record<string, string> = {};
  constructor() { super(); }
  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try { this.drain(); cb(); } catch (e) { cb(e as Error); }
  }
  _flush(cb: TransformCallback): void {
    if (!this.done) return cb(new S3Error(400, 'IncompleteBody', 'The request body ended before its last aws-chunked chunk'));
    cb();
  }
  private drain(): void {
    for (;;) {
      if (this.remaining > 0) {
        if (!this.buf.length) return;
        const n = Math.min(this.remaining, this.buf.length);
        this.push(this.buf.subarray(0, n));
        this.buf = this.buf.subarray(n);
        this.remaining -= n;
        if (this.remaining > 0) return;
        this.remaining = -2; // expect CRLF
      }
      if (this.remaining === -2) {
        if (this.buf.length < 2) return;
        if (this.buf[0] !== 13 || this.buf[1] !== 10) throw new S3Error(400, 'InvalidChunkSizeError', 'An aws-chunked chunk is not followed by CRLF');
        this.buf = this.buf.subarray(2);
        this.remaining = -1;
      }
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) { if (this.buf.length > 4096) throw new S3Error(400, 'InvalidChunkSizeError', 'aws-chunked header too long'); return; }
      const line = this.buf.subarray(0, eol).toString('latin1');
      this.buf = this.buf.subarray(eol + 2);
      if (this.done) {
        if (line === '') return; // end of trailers
        const i = line.indexOf(':');
        if (i > 0) this.trailers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        continue;
      }
      const size = parseInt(line.split(';')[0], 16);
      if (!Number.isFinite(size) || size < 0) throw new S3Error(400, 'InvalidChunkSizeError', `Bad aws-chunked chunk size "${line.slice(0, 40)}"`);
      if (size === 0) { this.done = true; continue; }
      this.remaining = size;
    }
  }
}

/** Passes bytes through while hashing them (md5 for the ETag, sha256 and CRC32 when the request asks to check them). */
class Digest extends Transform {
  readonly md5 = createHash('md5');
  readonly sha = createHash('sha256');
  crc = 0;
  size = 0;
  _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.md5.update(chunk); this.sha.update(chunk); this.crc = zlib.crc32(chunk, this.crc); this.size += chunk.length;
    cb(null, chunk);
  }
}

function crc32Base64(n: number): string {
  const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b.toString('base64');
}

export async function startS3Emulator(o: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const region = o.region ?? 'us-east-1';
  const creds = o.credentials ?? { AKIAEMULATOR: 'emulator-secret-key' };
  const minPart = o.minPartSize ?? 5 * 1024 * 1024;
  const ownDir = !o.dataDir;
  const dir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 's3emu-'));
  const buckets = new Map<string, Date>();
  const objects = new Map<string, StoredObject>(); // `${bucket}/${key}`
  const uploads = new Map<string, { bucket: string; key: string; contentType: string; metadata: Record<string, string>; parts: Map<number, { file: string; size: number; etag: string }> }>();
  const stats = { requests: 0, byOperation: new Map<string, number>(), authFailures: 0 };
  for (const b of o.buckets ?? []) buckets.set(b, new Date());
  let baseUrl = '';

  const newFile = () => path.join(dir, randomUUID());
  const dropFile = (f: string) => { try { unlinkSync(f); } catch { /* gone */ } };

  /** Verifies SigV4 (header or query); answers the access key. */
  function authenticate(req: IncomingMessage, rawPath: string, query: [string, string][]): { presigned: boolean } {
    const qmap = new Map(query);
    const now = Date.now();
    let creds0: { accessKey: string; scope: string; signedHeaders: string[]; sig: string; amzDate: string; payloadHash: string; presigned: boolean };
    const auth = req.headers.authorization;
    if (qmap.get('X-Amz-Algorithm')) {
      if (qmap.get('X-Amz-Algorithm') !== ALGORITHM) throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
      const cred = qmap.get('X-Amz-Credential') ?? '';
      const slash = cred.indexOf('/');
      const expires = Number(qmap.get('X-Amz-Expires'));
      if (!Number.isInteger(expires) || expires < 1 || expires > 604800) throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be between 1 and 604800 seconds');
      const amzDate = qmap.get('X-Amz-Date') ?? '';
      const t = parseAmzDate(amzDate);
      if (!Number.isFinite(t)) throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
      if (now > t + expires * 1000) throw new S3Error(403, 'AccessDenied', 'Request has expired', { Expires: new Date(t + expires * 1000).toISOString(), ServerTime: new Date(now).toISOString() });
      creds0 = { accessKey: cred.slice(0, slash), scope: cred.slice(slash + 1), signedHeaders: (qmap.get('X-Amz-SignedHeaders') ?? '').split(';'), sig: qmap.get('X-Amz-Signature') ?? '', amzDate, payloadHash: 'UNSIGNED-PAYLOAD', presigned: true };
    } else if (typeof auth === 'string' && auth.startsWith(ALGORITHM + ' ')) {
      const parts = Object.fromEntries(auth.slice(ALGORITHM.length + 1).split(',').map((p) => { const i = p.indexOf('='); return [p.slice(0, i).trim(), p.slice(i + 1).trim()]; }));
      const cred = String(parts.Credential ?? '');
      const slash = cred.indexOf('/');
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const t = parseAmzDate(amzDate);
      if (!Number.isFinite(t)) throw new S3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
      if (Math.abs(now - t) > 15 * 60_000) throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: amzDate, ServerTime: new Date(now).toISOString() });
      const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
      if (!payloadHash) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
      creds0 = { accessKey: cred.slice(0, slash), scope: cred.slice(slash + 1), signedHeaders: String(parts.SignedHeaders ?? '').split(';'), sig: String(parts.Signature ?? ''), amzDate, payloadHash, presigned: false };
    } else if (auth) {
      throw new S3Error(400, 'InvalidArgument', 'Unsupported Authorization Type');
    } else {
      throw new S3Error(403, 'AccessDenied', 'Access Denied');
    }
    const secret = creds[creds0.accessKey];
    if (!secret) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: creds0.accessKey });
    const [date, reg, service, term] = creds0.scope.split('/');
    if (service !== 's3' || term !== 'aws4_request' || date !== creds0.amzDate.slice(0, 8)) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
    if (reg !== region) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${reg}' is wrong; expecting '${region}'`, { Region: region });
    if (!creds0.signedHeaders.includes('host')) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The host header must be signed');
    const input: SignatureInput = {
      method: req.method ?? 'GET', rawPath, query: creds0.presigned ? query.filter(([k]) => k !== 'X-Amz-Signature') : query,
      headers: req.headers, signedHeaders: creds0.signedHeaders, payloadHash: creds0.payloadHash, amzDate: creds0.amzDate, scope: creds0.scope,
    };
    if (signature(secret, input) !== creds0.sig) {
      stats.authFailures++;
      throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { AWSAccessKeyId: creds0.accessKey });
    }
    return { presigned: creds0.presigned };
  }

  /** Streams the request body to a file, decoding aws-chunked and checking the declared hashes. */
  async function receiveBody(req: IncomingMessage): Promise<{ file: string; size: number; md5: Buffer }> {
    const file = newFile();
    const hash = String(req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD');
    const chunked = hash.startsWith('STREAMING-') || String(req.headers['content-encoding'] ?? '').split(',').map((s) => s.trim()).includes('aws-chunked');
    const digest = new Digest();
    const decoder = chunked ? new AwsChunkedDecoder() : null;
    try {
      if (decoder) await pipeline(req, decoder, digest, createWriteStream(file));
      else await pipeline(req, digest, createWriteStream(file));
    } catch (e) {
      dropFile(file);
      throw e instanceof S3Error ? e : new S3Error(400, 'IncompleteBody', `Could not read the request body: ${(e as Error).message}`);
    }
    const fail = (err: S3Error) => { dropFile(file); return err; };
    if (/^[0-9a-f]{64}$/.test(hash) && digest.sha.digest('hex') !== hash) throw fail(new S3Error(400, 'XAmzContentSHA256Mismatch', 'The provided \'x-amz-content-sha256\' header does not match what was computed.'));
    const declared = req.headers['x-amz-decoded-content-length'];
    if (chunked && declared !== undefined && Number(declared) !== digest.size) throw fail(new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length header.'));
    const crc = decoder?.trailers['x-amz-checksum-crc32'] ?? (typeof req.headers['x-amz-checksum-crc32'] === 'string' ? req.headers['x-amz-checksum-crc32'] : undefined);
    if (crc && crc !== crc32Base64(digest.crc)) throw fail(new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.'));
    const md5h = req.headers['content-md5'];
    const md5 = digest.md5.digest();
    if (typeof md5h === 'string' && md5h !== md5.toString('base64')) throw fail(new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.'));
    return { file, size: digest.size, md5 };
  }

  const metaOf = (req: IncomingMessage) => Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-amz-meta-')).map(([k, v]) => [k.slice(11), String(v)]));

  const send = (res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'x-amz-request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(), ...(body ? { 'content-type': 'application/xml' } : {}), ...headers });
    res.end(body);
  };

  function needBucket(b: string): void {
    if (!buckets.has(b)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: b });
  }

  function objectHeaders(obj: StoredObject): Record<string, string> {
    return {
      etag: `"${obj.etag}"`, 'last-modified': obj.lastModified.toUTCString(), 'content-type': obj.contentType, 'accept-ranges': 'bytes',
      ...Object.fromEntries(Object.entries(obj.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const query = parseQuery(qi < 0 ? '' : rawUrl.slice(qi + 1));
    const q = new Map(query);
    const segs = rawPath.split('/');
    const bucket = decodeURIComponent(segs[1] ?? '');
    const key = segs.length > 2 ? decodeURIComponent(segs.slice(2).join('/')) : '';
    const method = req.method ?? 'GET';
    const op = (name: string) => { stats.byOperation.set(name, (stats.byOperation.get(name) ?? 0) + 1); };
    stats.requests++;
    authenticate(req, rawPath, query);
    if (!bucket) {
      if (method !== 'GET') throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      op('ListBuckets');
      const list = [...buckets.entries()].map(([n, d]) => `<Bucket><Name>${xmlEscape(n)}</Name><CreationDate>${d.toISOString()}</CreationDate></Bucket>`).join('');
      return send(res, 200, xml(`<ListAllMyBucketsResult xmlns="${NS}"><Owner><ID>emulator</ID></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`));
    }
    const problem = bucketNameProblem(bucket);
    if (problem) throw new S3Error(400, 'InvalidBucketName', `The specified bucket is not valid: it ${problem}.`, { BucketName: bucket });
    if (Buffer.byteLength(key) > 1024) throw new S3Error(400, 'KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: '1024' });

    if (!key) {
      if (method === 'PUT') {
        op('CreateBucket');
        req.resume();
        if (buckets.has(bucket)) throw new S3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: bucket });
        buckets.set(bucket, new Date());
        return send(res, 200, '', { location: `/${bucket}` });
      }
      if (method === 'HEAD') { op('HeadBucket'); needBucket(bucket); return send(res, 200, '', { 'x-amz-bucket-region': region }); }
      if (method === 'GET' && q.get('list-type') === '2') {
        op('ListObjectsV2');
        needBucket(bucket);
        const prefix = q.get('prefix') ?? '';
        const max = Math.min(1000, Number(q.get('max-keys') ?? 1000));
        const after = q.get('continuation-token') ? Buffer.from(q.get('continuation-token')!, 'base64').toString('utf8') : q.get('start-after') ?? '';
        const all = [...objects.values()].filter((x) => x.bucket === bucket && x.key.startsWith(prefix) && x.key > after).sort((a, b) => (a.key < b.key ? -1 : 1));
        const page = all.slice(0, max);
        const truncated = all.length > page.length;
        const items = page.map((x) => `<Contents><Key>${xmlEscape(x.key)}</Key><LastModified>${x.lastModified.toISOString()}</LastModified><ETag>&quot;${x.etag}&quot;</ETag><Size>${x.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('');
        const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!.key).toString('base64')}</NextContinuationToken>` : '';
        return send(res, 200, xml(`<ListBucketResult xmlns="${NS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${items}${next}</ListBucketResult>`));
      }
      if (method === 'DELETE') {
        op('DeleteBucket');
        needBucket(bucket);
        if ([...objects.values()].some((x) => x.bucket === bucket)) throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: bucket });
        buckets.delete(bucket);
        return send(res, 204);
      }
      throw new S3Error(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented.');
    }

    needBucket(bucket);
    const id = `${bucket}/${key}`;
    if (method === 'PUT' && req.headers['x-amz-copy-source']) throw new S3Error(501, 'NotImplemented', 'CopyObject is not implemented by this emulator.');

    if (method === 'PUT' && q.has('uploadId')) {
      op('UploadPart');
      const up = uploads.get(q.get('uploadId')!);
      if (!up || up.bucket !== bucket || up.key !== key) { req.resume(); throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: q.get('uploadId')! }); }
      const n = Number(q.get('partNumber'));
      if (!Number.isInteger(n) || n < 1 || n > 10000) { req.resume(); throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber' }); }
      const body = await receiveBody(req);
      const prev = up.parts.get(n);
      if (prev) dropFile(prev.file);
      const etag = body.md5.toString('hex');
      up.parts.set(n, { file: body.file, size: body.size, etag });
      return send(res, 200, '', { etag: `"${etag}"` });
    }
    if (method === 'PUT') {
      op('PutObject');
      const body = await receiveBody(req);
      const prev = objects.get(id);
      if (prev) dropFile(prev.file);
      const obj: StoredObject = { bucket, key, size: body.size, etag: body.md5.toString('hex'), contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'), lastModified: new Date(), file: body.file, metadata: metaOf(req) };
      objects.set(id, obj);
      return send(res, 200, '', { etag: `"${obj.etag}"` });
    }
    if (method === 'POST' && q.has('uploads')) {
      op('CreateMultipartUpload');
      req.resume();
      const uploadId = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
      uploads.set(uploadId, { bucket, key, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'), metadata: metaOf(req), parts: new Map() });
      return send(res, 200, xml(`<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`));
    }
    if (method === 'POST' && q.has('uploadId')) {
      op('CompleteMultipartUpload');
      const uploadId = q.get('uploadId')!;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const up = uploads.get(uploadId);
      if (!up || up.bucket !== bucket || up.key !== key) throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
      const text = Buffer.concat(chunks).toString('utf8');
      const listed = [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        n: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1])?.[1]),
        etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1])?.[1] ?? '').replace(/&quot;|"/g, '').trim(),
      }));
      if (!listed.length) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
      for (let i = 0; i < listed.length; i++) {
        if (i && listed[i].n <= listed[i - 1].n) throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });
        const part = up.parts.get(listed[i].n);
        if (!part || part.etag !== listed[i].etag) throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { UploadId: uploadId, PartNumber: String(listed[i].n) });
        if (i < listed.length - 1 && part.size < minPart) throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { ProposedSize: String(part.size), MinSizeAllowed: String(minPart), PartNumber: String(listed[i].n) });
      }
      const file = newFile();
      const out = createWriteStream(file);
      const md5s: Buffer[] = [];
      let size = 0;
      for (const l of listed) {
        const part = up.parts.get(l.n)!;
        md5s.push(Buffer.from(part.etag, 'hex'));
        size += part.size;
        for await (const c of createReadStream(part.file)) if (!out.write(c)) await once(out, 'drain');
      }
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      for (const p of up.parts.values()) dropFile(p.file);
      uploads.delete(uploadId);
      const etag = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}`;
      const prev = objects.get(id);
      if (prev) dropFile(prev.file);
      objects.set(id, { bucket, key, size, etag, contentType: up.contentType, lastModified: new Date(), file, metadata: up.metadata });
      return send(res, 200, xml(`<CompleteMultipartUploadResult xmlns="${NS}"><Location>${xmlEscape(`${baseUrl}/${bucket}/${key}`)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>&quot;${etag}&quot;</ETag></CompleteMultipartUploadResult>`));
    }
    if (method === 'DELETE' && q.has('uploadId')) {
      op('AbortMultipartUpload');
      const up = uploads.get(q.get('uploadId')!);
      if (!up) throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: q.get('uploadId')! });
      for (const p of up.parts.values()) dropFile(p.file);
      uploads.delete(q.get('uploadId')!);
      return send(res, 204);
    }
    if (method === 'DELETE') {
      op('DeleteObject');
      const prev = objects.get(id);
      if (prev) { dropFile(prev.file); objects.delete(id); }
      return send(res, 204);
    }
    if (method === 'GET' || method === 'HEAD') {
      op(method === 'GET' ? 'GetObject' : 'HeadObject');
      const obj = objects.get(id);
      if (!obj) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (range && method === 'GET' && (range[1] || range[2])) {
        let start = range[1] ? Number(range[1]) : Math.max(0, obj.size - Number(range[2]));
        let end = range[1] ? (range[2] ? Math.min(Number(range[2]), obj.size - 1) : obj.size - 1) : obj.size - 1;
        if (start >= obj.size) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: String(req.headers.range), ActualObjectSize: String(obj.size) });
        if (end < start) { start = 0; end = obj.size - 1; }
        res.writeHead(206, { ...objectHeaders(obj), 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${obj.size}` });
        await pipeline(createReadStream(obj.file, { start, end }), res);
        return;
      }
      res.writeHead(200, { ...objectHeaders(obj), 'content-length': String(obj.size) });
      if (method === 'HEAD') { res.end(); return; }
      await pipeline(createReadStream(obj.file), res);
      return;
    }
    throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) { res.destroy(); return; }
      // Leave the rest of a refused body unread, but let the answer go out.
      if (!req.readableEnded) req.resume();
      const e = err instanceof S3Error ? err : new S3Error(500, 'InternalError', `We encountered an internal error. Please try again. (${(err as Error).message})`);
      const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
      const extra = Object.entries(e.extra).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
      // HEAD answers carry no body: the SDK reads the status alone (NotFound, Forbidden …).
      const body = req.method === 'HEAD' ? '' : xml(`<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>emulator</HostId></Error>`);
      send(res, e.status, body, { 'x-amz-request-id': requestId });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    region,
    stats,
    async close() {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    store: {
      buckets: () => [...buckets.keys()],
      createBucket(name) { const p = bucketNameProblem(name); if (p) throw new Error(`bucket ${name} ${p}`); buckets.set(name, new Date()); },
      object: (b, k) => objects.get(`${b}/${k}`),
      objects: (b) => [...objects.values()].filter((x) => !b || x.bucket === b),
      async sha256(b, k) {
        const obj = objects.get(`${b}/${k}`);
        if (!obj) throw new Error(`no object ${b}/${k}`);
        const h = createHash('sha256');
        for await (const c of createReadStream(obj.file)) h.update(c as Buffer);
        if (statSync(obj.file).size !== obj.size) throw new Error('size mismatch');
        return h.digest('hex');
      },
      multipartUploads: () => [...uploads.entries()].map(([uploadId, u]) => ({ uploadId, bucket: u.bucket, key: u.key, parts: u.parts.size })),
    },
  };
}
