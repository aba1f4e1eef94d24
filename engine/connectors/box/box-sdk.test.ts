// The Box emulator driven by Box's own Node SDK (box-node-sdk, the generated one), unchanged but for its custom
// base URLs (API host and upload host, the SDK's own knob): uploadBigFile's upload session (create, parts with
// their SHA-1 digests, list parts, commit with the file's digest), the simple multipart upload, a shared link,
// and Box's errors as BoxApiErrors.
import { BoxClient, BoxDeveloperTokenAuth } from 'box-node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startBoxEmulator, type BoxEmulator } from './emulator';

const TOKEN = 'box-sdk-dev-token';
let emu: BoxEmulator;
const clientFor = (token: string) => new BoxClient({ auth: new BoxDeveloperTokenAuth({ token }) })
  .withCustomBaseUrls({ baseUrl: emu.url, uploadUrl: `${emu.url}/api`, oauth2Url: `${emu.url}/oauth2` });

beforeAll(async () => { emu = await startBoxEmulator({ token: TOKEN }); });
afterAll(async () => { await emu?.close(); });

describe('Box emulator with the Box Node SDK', () => {
  it('uploadBigFile: a 25 MB recording through an upload session, byte-identical; then an open shared link', async () => {
    const box = clientFor(TOKEN);
    const size = 25_000_000;
    const file = await box.chunkedUploads.uploadBigFile(recordingStream(31, size), 'sdk-big.wav', size, '0');
    expect(file).toMatchObject({ type: 'file', name: 'sdk-big.wav' });
    expect(await emu.store.sha256(file.id)).toBe(recordingSha256(31, size));
    expect(emu.stats.byRoute.get('PUT /api/2.0/files/upload_sessions/:id')).toBe(3);
    expect(emu.stats.byRoute.get('GET /api/2.0/files/upload_sessions/:id/parts')).toBe(1);
    const shared = await box.sharedLinksFiles.addShareLinkToFile(file.id, { sharedLink: { access: 'open' } }, { fields: 'shared_link' });
    expect(shared.sharedLink).toMatchObject({ access: 'open', url: expect.stringContaining(`${emu.url}/s/`) });
    expect(emu.store.file(file.id)!.sharedLink?.url).toBe(shared.sharedLink!.url);
  }, 30_000);

  it('uploadFile: the simple multipart upload for a small file', async () => {
    const box = clientFor(TOKEN);
    const files = await box.uploads.uploadFile({ attributes: { name: 'sdk-small.wav', parent: { id: '0' } }, file: recordingStream(32, 100_000) });
    const f = files.entries![0];
    expect(f).toMatchObject({ name: 'sdk-small.wav', size: 100_000 });
    expect(await emu.store.sha256(f.id)).toBe(recordingSha256(32, 100_000));
  });

  it('answers errors the SDK reads as Box\'s: a bad token (401), a name in use (409 BoxApiError)', async () => {
    const e1 = await clientFor('wrong').users.getUserMe().catch((e) => e);
    // The SDK reads the 401 (WWW-Authenticate: invalid_token) as a developer token that cannot be refreshed.
    expect(e1).toMatchObject({ name: 'BoxSdkError', message: 'Developer token has expired. Please provide a new one.' });
    const e2 = await clientFor(TOKEN).uploads.uploadFile({ attributes: { name: 'sdk-small.wav', parent: { id: '0' } }, file: recordingStream(32, 10) }).catch((e) => e);
    expect(e2.responseInfo.statusCode).toBe(409);
    expect(e2.responseInfo.body).toMatchObject({ type: 'error', code: 'item_name_in_use', context_info: { conflicts: { type: 'file', name: 'sdk-small.wav' } } });
  });
});
