// The Google Drive emulator driven by Google's own client (@googleapis/drive, googleapis-common underneath),
// unchanged but for its `rootUrl` option (on the client; the media upload URL reads the call's own): files.create with media (multipart upload), permissions.create,
// files.get with fields, about.get, and Google's errors as GaxiosErrors.
import { auth, drive } from '@googleapis/drive';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startGdriveEmulator, type GdriveEmulator } from './emulator';

const TOKEN = 'ya29.sdk-token';
let emu: GdriveEmulator;

const client = (token: string) => {
  const oauth = new auth.OAuth2();
  oauth.setCredentials({ access_token: token });
  return drive({ version: 'v3', rootUrl: `${emu.url}/`, auth: oauth });
};

beforeAll(async () => { emu = await startGdriveEmulator({ token: TOKEN, domain: 'acme.test' }); });
afterAll(async () => { await emu?.close(); });

describe('Google Drive emulator with the Google API client', () => {
  it('files.create with media, permissions.create (anyone, domain), files.get with the webViewLink', async () => {
    const d = client(TOKEN);
    const created = await d.files.create({ requestBody: { name: 'sdk.wav', parents: ['root'] }, media: { mimeType: 'audio/wav', body: recordingStream(51, 200_000) }, fields: 'id,name,size,md5Checksum,mimeType' }, { rootUrl: `${emu.url}/` });
    expect(created.data).toMatchObject({ name: 'sdk.wav', size: '200000', mimeType: 'audio/wav' });
    const id = created.data.id!;
    expect(await emu.store.sha256(id)).toBe(recordingSha256(51, 200_000));
    const anyone = await d.permissions.create({ fileId: id, requestBody: { type: 'anyone', role: 'reader' } });
    expect(anyone.data).toMatchObject({ kind: 'drive#permission', id: 'anyoneWithLink', type: 'anyone', role: 'reader' });
    await d.permissions.create({ fileId: id, requestBody: { type: 'domain', role: 'reader', domain: 'acme.test' } });
    const got = await d.files.get({ fileId: id, fields: 'id,webViewLink,permissions' });
    expect(got.data.webViewLink).toBe(`${emu.url}/file/d/${id}/view?usp=drivesdk`);
    expect(got.data.permissions?.map((p) => p.type)).toEqual(['user', 'anyone', 'domain']);
    const about = await d.about.get({ fields: 'user' });
    expect(about.data.user?.emailAddress).toBe('storage@acme.test');
  });

  it('errors come back as Google\'s: 404 notFound, 400 for a domain permission without its domain, 401 for a bad token', async () => {
    const d = client(TOKEN);
    const e1 = await d.files.get({ fileId: 'nope' }).catch((e) => e);
    expect(e1.status).toBe(404);
    expect(e1.response.data.error.errors[0]).toMatchObject({ reason: 'notFound', location: 'fileId' });
    const f = emu.store.files()[0];
    const e2 = await d.permissions.create({ fileId: f.id, requestBody: { type: 'domain', role: 'reader' } }).catch((e) => e);
    expect(e2.status).toBe(400);
    expect(e2.message).toBe('The permission domain field is required.');
    const e3 = await client('wrong').about.get({ fields: 'user' }).catch((e) => e);
    expect(e3.status).toBe(401);
    expect(e3.response.data.error).toMatchObject({ status: 'UNAUTHENTICATED', errors: [{ reason: 'authError' }] });
  });
});
