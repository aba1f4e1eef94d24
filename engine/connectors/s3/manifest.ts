// S3-compatible storage (AWS S3, MinIO, Cloudflare R2, Wasabi …) through the official AWS SDK v3.
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { AWS_DEFAULT_ENDPOINT, s3ForConnection } from './client';
import { uploadFromUrlBlock } from './upload-object';

export { uploadObject, linkObject, safeKey, storedObjectSchema, MAX_LINK_LIFETIME_SEC, type StoredObjectRef } from './upload-object';

export const s3Connector = defineConnector({
  id: 's3',
  name: 'S3 storage',
  defaultBaseUrl: AWS_DEFAULT_ENDPOINT,
  auth: [{
    type: 'apiKey',
    fields: [
      { id: 'accessKeyId', label: 'Access key id', secret: false },
      { id: 'secretAccessKey', label: 'Secret access key', secret: true },
      { id: 'region', label: 'Region (e.g. eu-west-1)', secret: false },
      { id: 'bucket', label: 'Bucket', secret: false },
    ],
    help: 'An IAM user (or an S3-compatible store\'s key) allowed s3:PutObject, s3:GetObject and s3:AbortMultipartUpload on the bucket. For MinIO, R2 or Wasabi set the base URL to the store\'s endpoint.',
  }],
  blocks: [uploadFromUrlBlock] as AnyBlock[],
  emulator: {
    // Access key id S3_EMULATOR_KEY_ID (default AKIAPATCHBAYDEMO) with the token as its secret; bucket "recordings".
    start: async (o) => (await import('./emulator')).startS3Emulator({
      port: o.port, credentials: { [o.env?.S3_EMULATOR_KEY_ID ?? 'AKIAPATCHBAYDEMO']: o.token ?? 'dev-token' }, buckets: ['recordings'],
    }),
    demo: { port: 4030 },
  },
  async testConnection(conn: ConnectionHandle) {
    const t = s3ForConnection(conn);
    try {
      await t.client.send(new HeadBucketCommand({ Bucket: t.bucket }));
      return { ok: true as const, account: `bucket ${t.bucket}` };
    } finally { t.client.destroy(); }
  },
});
