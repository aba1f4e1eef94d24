// Google Drive: call recordings stored in the customer's Drive (a folder, My Drive's root by default) through
// resumable uploads, shared with anyone with the link or with the Workspace domain. OAuth 2 (offline access).
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { createDriveClient, GDRIVE_API_BASE, GOOGLE_TOKEN_URL } from './client';

export { uploadToGdrive } from './upload-file';

export const gdriveConnector = defineConnector({
  id: 'gdrive',
  name: 'Google Drive',
  defaultBaseUrl: GDRIVE_API_BASE,
  auth: [
    {
      type: 'oauth2',
      authorizePath: 'https://accounts.google.com/o/oauth2/v2/auth?access_type=offline&prompt=consent',
      tokenPath: GOOGLE_TOKEN_URL,
      scopes: ['https://www.googleapis.com/auth/drive.file'],
      help: 'Connect the Google account whose Drive keeps the call recordings. Patchbay only sees the files it created (drive.file).',
      forBaseUrl: (base) => (base.replace(/\/+$/, '') === GDRIVE_API_BASE ? undefined : { authorizeUrl: `${base.replace(/\/+$/, '')}/o/oauth2/v2/auth`, tokenUrl: `${base.replace(/\/+$/, '')}/token` }),
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'token', label: 'Access token', secret: true },
        { id: 'folderId', label: 'Folder id (default: My Drive)', secret: false },
        { id: 'domain', label: 'Workspace domain (to share with the organisation)', secret: false },
      ],
      help: 'An OAuth access token with the drive.file scope (short-lived: prefer Connect with OAuth).',
    },
  ],
  blocks: [] as AnyBlock[],
  emulator: {
    start: async (o) => (await import('./emulator')).startGdriveEmulator({ port: o.port, token: o.token ?? 'dev-token', oauth: o.oauth, rateLimit: o.rateLimit }),
    demo: { port: 4032, oauthClient: { clientId: 'patchbay-demo-gdrive', clientSecret: 'patchbay-demo-gdrive-secret' } },
  },
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const drive = createDriveClient({ fetch: fetchImpl, conn, requestLog: [] });
    const about = await drive.request<{ user?: { emailAddress?: string } }>({ path: '/drive/v3/about', query: { fields: 'user' } });
    return { ok: true as const, account: `Google Drive ${about.body.user?.emailAddress ?? ''}`.trim() };
  },
});
