// Stores a call's recording before anything links to it: streams it from the phone system (with the phone
// system's credentials, only to its own host) into the customer's S3 storage and keeps the object on the call
// session, so the CRM log links the stored copy and a retried run does not upload it again.
import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import { openRecording } from '../../connectors/phone-system/fetch-recording';
import { linkObject, MAX_LINK_LIFETIME_SEC, safeKey, storedObjectSchema, uploadObject, type StoredObjectRef } from '../../connectors/s3/manifest';

const EXT: Record<string, string> = { 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a', 'audio/webm': 'webm' };

export const callStoreRecording = defineBlock({
  id: 'call.storeRecording',
  effect: { what: 'Store the call recording in S3', system: 's3', simulate: () => ({ output: { stored: false }, port: 'none' }) },
  version: 1,
  title: 'Store the call recording',
  description: 'Streams the call\'s recording from the phone system into S3 storage (multipart, never in memory) and gives its link: pre-signed for the given lifetime, or the object URL.',
  category: 'Storage',
  icon: 'upload',
  params: z.object({
    callId: z.string().min(1).max(200),
    recordingUrl: z.string().max(2048).nullish().describe('Default: the recording the phone system reported for the call'),
    storage: z.enum(['s3']).default('s3'),
    bucket: z.string().max(63).nullish(),
    keyPrefix: z.string().max(200).default('recordings'),
    linkLifetimeSec: z.number().int().min(0).max(MAX_LINK_LIFETIME_SEC).default(MAX_LINK_LIFETIME_SEC).describe('0 = the object URL; else a pre-signed link valid this long (at most 7 days)'),
  }),
  output: storedObjectSchema.extend({ source: z.string(), reused: z.boolean() }).partial().extend({ stored: z.boolean() }),
  ports: [{ id: 'stored', label: 'stored' }, { id: 'none', label: 'no recording' }],
  summarize: (p) => String(p.keyPrefix ?? 'recordings'),
  async run(ctx, p) {
    const session = ctx.calls ? await ctx.calls.get(p.callId) : null;
    const source = p.recordingUrl || session?.call.recordingUrl;
    if (!source) return { output: { stored: false }, port: 'none' };
    const prior = session?.records.recording as (StoredObjectRef & { source?: string }) | undefined;
    if (prior?.source === source && prior.key) {
      // Stored already (a retried run, a later event): never upload twice; only renew a link past half its life.
      const halfLife = p.linkLifetimeSec * 500;
      if (prior.expiresAt && Date.parse(prior.expiresAt) < ctx.clock.now().getTime() + halfLife) {
        const link = await linkObject(await ctx.connections.get('s3'), prior, p.linkLifetimeSec);
        const renewed = { ...prior, ...link };
        await ctx.calls?.saveRecord(p.callId, 'recording', renewed);
        return { output: { stored: true, ...renewed, reused: true }, port: 'stored' };
      }
      return { output: { stored: true, ...prior, reused: true }, port: 'stored' };
    }
    const phone = await ctx.connections.get('phonesystem');
    const rec = await openRecording({ fetch: ctx.fetch, conn: phone, requestLog: ctx.requestLog, signal: ctx.signal }, source);
    const type = (rec.contentType ?? '').split(';')[0].trim().toLowerCase();
    const key = safeKey(`${p.keyPrefix.replace(/\/+$/, '')}/${ctx.customer.id}/${p.callId}.${EXT[type] ?? 'bin'}`);
    let storage;
    try { storage = await ctx.connections.get('s3'); } catch (err) {
      await rec.body.cancel().catch(() => {});
      throw err instanceof PatchbayError ? err : new PatchbayError('connection_missing', 'Connect S3 storage to store call recordings');
    }
    const t0 = Date.now();
    const stored = await uploadObject(storage, { key, body: rec.body, contentType: type || null, bucket: p.bucket ?? undefined, linkLifetimeSec: p.linkLifetimeSec, signal: ctx.signal });
    ctx.requestLog.push({ method: 'PUT', url: `s3://${stored.bucket}/${stored.key}`, status: 200, durationMs: Date.now() - t0, attempt: 1 });
    const record = { ...stored, source };
    await ctx.calls?.saveRecord(p.callId, 'recording', record);
    return { output: { stored: true, ...record, reused: false }, port: 'stored' };
  },
});
