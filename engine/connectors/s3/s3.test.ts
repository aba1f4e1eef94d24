// The S3 emulator driven by the official AWS SDK v3, unchanged (endpoint + forcePathStyle), and the connector's
// streaming upload: a 200 MB recording goes up in parts with flat memory.
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startS3Emulator, type S3Emulator } from './emulator';
import { uploadObject } from './upload-object';

const AK = 'AKIATESTKEY';
const SK = 'test-secret-access-key';
let emu: S3Emulator;
let s3: S3Client;

const client = (o: { secret?: string; key?: string; region?: string } = {}) =>
  new S3Client({ region: o.region ?? 'eu-west-1', endpoint: emu.url, forcePathStyle: true, credentials: { accessKeyId: o.key ?? AK, secretAccessKey: o.secret ?? SK }, maxAttempts: 1 });

const conn = (bucket = 'recordings'): ConnectionHandle => ({
  id: 'c', system: 's3', baseUrl: emu.url, credentials: { accessKeyId: AK, secretAccessKey: SK, region: 'eu-west-1', bucket },
  saveCredentials: async () => {}, reportHealth: async () => {},
});

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try { await p; } catch (e) { const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } }; return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message }; }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emu = await startS3Emulator({ credentials: { [AK]: SK }, region: 'eu-west-1' });
  s3 = client();
  await s3.send(new CreateBucketCommand({ Bucket: 'recordings' }));
});
afterAll(async () => { s3?.destroy(); await emu?.close(); });

describe('S3 emulator with the AWS SDK v3', () => {
  it('puts, heads, gets and lists an object; metadata and content type survive', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'recordings', Key: 'a/hello world.txt', Body: 'hello, S3', ContentType: 'text/plain', Metadata: { callid: 'c-1' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'recordings', Key: 'a/hello world.txt' }));
    expect(head).toMatchObject({ ContentLength: 9, ContentType: 'text/plain', Metadata: { callid: 'c-1' } });
    expect(head.ETag).toBe(`"${createHash('md5').update('hello, S3').digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'a/hello world.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello, S3');
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'a/hello world.txt', Range: 'bytes=7-8' }));
    expect(await ranged.Body!.transformToString()).toBe('S3');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'recordings', Prefix: 'a/' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['a/hello world.txt']);
  });

  it('answers as S3 does: NoSuchKey, NoSuchBucket, InvalidBucketName, BucketAlreadyOwnedByYou, 404 on HEAD', async () => {
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'recordings', Key: 'missing' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    expect(await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Bucket' })))).toMatchObject({ name: 'InvalidBucketName', status: 400 });
    expect(await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'recordings' })))).toMatchObject({ name: 'BucketAlreadyOwnedByYou', status: 409 });
    expect(await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'recordings', Key: 'missing' })))).toMatchObject({ name: 'NotFound', status: 404 });
  });

  it('refuses a wrong secret, an unknown key id and a wrong region', async () => {
    const bad = client({ secret: 'wrong' });
    expect(await errorOf(bad.send(new PutObjectCommand({ Bucket: 'recordings', Key: 'x', Body: 'x' })))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(await errorOf(client({ key: 'AKIAUNKNOWN' }).send(new GetObjectCommand({ Bucket: 'recordings', Key: 'x' })))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
    expect(await errorOf(client({ region: 'us-west-2' }).send(new GetObjectCommand({ Bucket: 'recordings', Key: 'x' })))).toMatchObject({ name: 'AuthorizationHeaderMalformed', status: 400 });
    expect(emu.store.object('recordings', 'x')).toBeUndefined();
  });

  it('multipart: lib-storage Upload of 20 MB goes up in parts and the object is byte-identical', async () => {
    const before = emu.stats.byOperation.get('UploadPart') ?? 0;
    const up = new Upload({ client: s3, params: { Bucket: 'recordings', Key: 'big.wav', Body: recordingStream(7, 20 * 1024 * 1024), ContentType: 'audio/wav' }, partSize: 8 * 1024 * 1024 });
    await up.done();
    expect((emu.stats.byOperation.get('UploadPart') ?? 0) - before).toBe(3);
    const obj = emu.store.object('recordings', 'big.wav')!;
    expect(obj.size).toBe(20 * 1024 * 1024);
    expect(obj.etag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(await emu.store.sha256('recordings', 'big.wav')).toBe(recordingSha256(7, 20 * 1024 * 1024));
    expect(emu.store.multipartUploads()).toEqual([]);
  });

  it('multipart rules: a small part that is not the last is EntityTooSmall; a wrong ETag is InvalidPart', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'recordings', Key: 'parts' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: 'recordings', Key: 'parts', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'recordings', Key: 'parts', UploadId, PartNumber: 2, Body: Buffer.alloc(1024, 2) }));
    expect(await errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'recordings', Key: 'parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }))))
      .toMatchObject({ name: 'EntityTooSmall', status: 400 });
    expect(await errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'recordings', Key: 'parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] } }))))
      .toMatchObject({ name: 'InvalidPart', status: 400 });
    // A single (last) part may be small.
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'recordings', Key: 'parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }));
    expect(emu.store.object('recordings', 'parts')!.size).toBe(1024);
  });

  it('pre-signed GET URLs work with plain fetch until they expire; a changed one is refused', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'recordings', Key: 'a/hello world.txt' }), { expiresIn: 60 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello, S3');
    const tampered = await fetch(url.replace('hello%20world', 'hello%20worle'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const old = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'recordings', Key: 'a/hello world.txt' }), { expiresIn: 5, signingDate: new Date(Date.now() - 60_000) });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    expect((await fetch(`${emu.url}/recordings/a/hello%20world.txt`)).status).toBe(403);
  });

  it('uploads a 200 MB recording from a stream with flat memory and links it with a pre-signed URL', async () => {
    const size = 200 * 1024 * 1024;
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const t0 = Date.now();
    const ref = await uploadObject(conn(), { key: 'calls/c-200mb.wav', body: recordingStream(42, size), contentType: 'audio/wav', linkLifetimeSec: 3600 });
    clearInterval(timer);
    const growthMb = (peak - rss0) / 1024 / 1024;
    console.log(`200 MB upload: ${Date.now() - t0} ms, RSS growth ${growthMb.toFixed(1)} MB (peak ${(peak / 1024 / 1024).toFixed(0)} MB)`);
    expect(ref).toMatchObject({ system: 's3', bucket: 'recordings', key: 'calls/c-200mb.wav', size, contentType: 'audio/wav' });
    expect(ref.etag).toMatch(/-25$/);
    expect(await emu.store.sha256('recordings', 'calls/c-200mb.wav')).toBe(recordingSha256(42, size));
    // Far below the file's size: parts of 8 MiB, two in flight (the emulator in this process streams to disk).
    expect(growthMb).toBeLessThan(120);
    const head = await fetch(ref.url, { headers: { range: 'bytes=0-3' } });
    expect(head.status).toBe(206);
    expect(await head.text()).toBe('RIFF');
  }, 120_000);
});
