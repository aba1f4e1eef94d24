// Stores a call's recording before anything links to it: streams it from the phone system (with the phone
// system's credentials, only to its own host) into the customer's storage — S3 (the default), Dropbox, Google
// Drive, Box or OneDrive, each through its chunked upload, never holding the recording — and keeps the stored
// file on the call session, so the CRM log links the stored copy and a retried run does not upload it again.
import { z } from 'zod';
import { defineBlock, type ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import { openRecording } from '../../connectors/phone-system/fetch-recording';
import { linkObject, MAX_LINK_LIFETIME_SEC, safeKey, storedObjectSchema, uploadObject, type StoredObjectRef } from '../../connectors/s3/manifest';
import { uploadToDropbox } from '../../connectors/dropbox/manifest';
import { uploadToGdrive } from '../../connectors/gdrive/manifest';
import { uploadToBox } from '../../connectors/box/manifest';
import { uploadToOnedrive } from '../../connectors/onedrive/manifest';
import type { CloudFileRef, CloudUploadArgs } from '../../connectors/kit/chunked-upload';
import type { ConnectorCall } from '../../connectors/kit/contact-source';
import { callOf } from '../../connectors/kit/contact-source';

const EXT: Record<string, string> = { 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a', 'audio/webm': 'webm' };

export const RECORDING_STORAGES = ['s3', 'dropbox', 'gdrive', 'box', 'onedrive'] as const;
type CloudStorage = Exclude<(typeof RECORDING_STORAGES)[number], 's3'>;

const NAMES: Record<(typeof RECORDING_STORAGES)[number], string> = { s3: 'S3 storage', dropbox: 'Dropbox', gdrive: 'Google Drive', box: 'Box', onedrive: 'OneDrive' };

const UPLOADERS: Record<CloudStorage, (call: ConnectorCall, a: CloudUploadArgs) => Promise<CloudFileRef>> = {
  dropbox: uploadToDropbox, gdrive: uploadToGdrive, box: uploadToBox, onedrive: uploadToOnedrive,
};

type StoredRecording = (StoredObjectRef | CloudFileRef) & { source?: string };

export const callStoreRecording = defineBlock({
  id: 'call.storeRecording',
  effect: { what: 'Store the call recording', simulate: () => ({ output: { stored: false }, port: 'none' }) },
  connectorParam: 'storage',
  version: 1,
  title: 'Store the call recording',
  description: 'Streams the call\'s recording from the phone system into storage — S3, Dropbox, Google Drive, Box or OneDrive — in chunks, never in memory, and gives its link: for S3 pre-signed for the given lifetime (or the object URL), for the cloud drives a shared link.',
  category: 'Storage',
  icon: 'upload',
  params: z.object({
    callId: z.string().min(1).max(200),
    recordingUrl: z.string().max(2048).nullish().describe('Default: the recording the phone system reported for the call'),
    storage: z.enum(RECORDING_STORAGES).default('s3').describe('Where recordings are kept; its connection is used'),
    bucket: z.string().max(63).nullish().describe('S3 only: default the connection\'s bucket'),
    keyPrefix: z.string().max(200).default('recordings'),
    linkLifetimeSec: z.number().int().min(0).max(MAX_LINK_LIFETIME_SEC).default(MAX_LINK_LIFETIME_SEC).describe('S3: 0 = the object URL; else a pre-signed link valid this long (at most 7 days)'),
    linkScope: z.enum(['anyone', 'organization']).default('anyone').describe('Cloud drives: who may open the shared link (anyone with it, or your organisation)'),
  }),
  output: storedObjectSchema.extend({
    system: z.enum(RECORDING_STORAGES), bucket: z.string(), fileId: z.string(), expiresAt: z.string().nullable(), source: z.string(), reused: z.boolean(),
  }).partial().extend({ stored: z.boolean() }),
  ports: [{ id: 'stored', label: 'stored' }, { id: 'none', label: 'no recording' }],
  summarize: (p) => `${String(p.storage ?? 's3')}: ${String(p.keyPrefix ?? 'recordings')}`,
  async run(ctx, p) {
    const session = ctx.calls ? await ctx.calls.get(p.callId) : null;
    const source = p.recordingUrl || session?.call.recordingUrl;
    if (!source) return { output: { stored: false }, port: 'none' };
    const prior = session?.records.recording as StoredRecording | undefined;
    if (prior?.source === source && prior.key && (prior.system ?? 's3') === p.storage) {
      // Stored already (a retried run, a later event): never upload twice; only renew an S3 link past half its life.
      const halfLife = p.linkLifetimeSec * 500;
      if (prior.system === 's3' && prior.expiresAt && Date.parse(prior.expiresAt) < ctx.clock.now().getTime() + halfLife) {
        const link = await linkObject(await ctx.connections.get('s3'), prior, p.linkLifetimeSec);
        const renewed = { ...prior, ...link };
        await ctx.calls?.saveRecord(p.callId, 'recording', renewed);
        return { output: { stored: true, ...renewed, reused: true }, port: 'stored' };
      }
      return { output: { stored: true, ...prior, reused: true }, port: 'stored' };
    }
    const phone = await ctx.connections.get('phonesystem');
    const rec = await openRecording(callOf(ctx, phone), source);
    const type = (rec.contentType ?? '').split(';')[0].trim().toLowerCase();
    const key = safeKey(`${p.keyPrefix.replace(/\/+$/, '')}/${ctx.customer.id}/${p.callId}.${EXT[type] ?? 'bin'}`);
    let storage: ConnectionHandle;
    try { storage = await ctx.connections.get(p.storage); } catch (err) {
      await rec.body.cancel().catch(() => {});
      if (err instanceof PatchbayError && err.code !== 'connection_missing') throw err;
      throw new PatchbayError('connection_missing', `No ${NAMES[p.storage]} connection for this customer: connect ${NAMES[p.storage]} to store call recordings, or choose another storage`, { path: ['storage'], cause: err });
    }
    const t0 = Date.now();
    let stored: StoredObjectRef | CloudFileRef;
    if (p.storage === 's3') {
      stored = await uploadObject(storage, { key, body: rec.body, contentType: type || null, bucket: p.bucket ?? undefined, linkLifetimeSec: p.linkLifetimeSec, signal: ctx.signal });
      ctx.requestLog.push({ method: 'PUT', url: `s3://${stored.bucket}/${stored.key}`, status: 200, durationMs: Date.now() - t0, attempt: 1 });
    } else {
      // The connector's requests go in the step's request log through the shared HTTP client.
      stored = await UPLOADERS[p.storage](callOf(ctx, storage), { key, body: rec.body, size: rec.size, contentType: type || null, linkScope: p.linkScope, signal: ctx.signal });
    }
    const record = { ...stored, source };
    await ctx.calls?.saveRecord(p.callId, 'recording', record);
    return { output: { stored: true, ...record, reused: false }, port: 'stored' };
  },
});
