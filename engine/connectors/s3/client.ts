// An S3 client for a connection: the official AWS SDK v3 with the connection's keys, region and endpoint (AWS
// itself by default; any S3-compatible store — MinIO, R2, Wasabi, the emulator — through the base URL, path-style).
import { S3Client } from '@aws-sdk/client-s3';
import type { ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';

export const AWS_DEFAULT_ENDPOINT = 'https://s3.amazonaws.com';

export interface S3Target { client: S3Client; bucket: string; region: string; endpoint: string | null; forcePathStyle: boolean }

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

export function s3ForConnection(conn: ConnectionHandle, bucketOverride?: string): S3Target {
  const c = conn.credentials ?? {};
  const accessKeyId = str(c.accessKeyId);
  const secretAccessKey = str(c.secretAccessKey);
  if (!accessKeyId || !secretAccessKey) throw new PatchbayError('connection_auth', 'The storage connection has no access key: reconnect S3 storage');
  const bucket = bucketOverride || str(c.bucket);
  if (!bucket) throw new PatchbayError('invalid_params', 'No bucket: set one in the S3 connection or in the block', { path: ['bucket'] });
  const region = str(c.region) ?? 'us-east-1';
  const base = (conn.baseUrl || AWS_DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const endpoint = base === AWS_DEFAULT_ENDPOINT ? null : base;
  // A custom endpoint is an S3-compatible store: most want path-style addressing (bucket in the path).
  const forcePathStyle = c.forcePathStyle === undefined ? endpoint !== null : c.forcePathStyle === true || c.forcePathStyle === 'true';
  const client = new S3Client({ region, credentials: { accessKeyId, secretAccessKey }, ...(endpoint ? { endpoint } : {}), forcePathStyle, maxAttempts: 3 });
  return { client, bucket, region, endpoint, forcePathStyle };
}

/** The object's plain URL (readable only where the bucket allows it). */
export function objectUrl(t: S3Target, key: string): string {
  const k = key.split('/').map(encodeURIComponent).join('/');
  if (t.endpoint) return t.forcePathStyle ? `${t.endpoint}/${t.bucket}/${k}` : `${t.endpoint.replace('://', `://${t.bucket}.`)}/${k}`;
  return `https://${t.bucket}.s3.${t.region}.amazonaws.com/${k}`;
}
