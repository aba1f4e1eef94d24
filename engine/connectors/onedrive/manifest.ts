// OneDrive (and SharePoint document libraries) through Microsoft Graph: call recordings stored in a folder
// (/Patchbay by default) of the user's drive or of a given drive, through upload sessions, linked with a view link
// (anyone with it, or the organisation). OAuth 2 with the Microsoft identity platform (offline_access).
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { createGraphClients, GRAPH_BASE, MS_LOGIN } from './client';

export { uploadToOnedrive } from './upload-file';

export const onedriveConnector = defineConnector({
  id: 'onedrive',
  name: 'OneDrive',
  defaultBaseUrl: GRAPH_BASE,
  auth: [
    {
      type: 'oauth2',
      authorizePath: `${MS_LOGIN}/common/oauth2/v2.0/authorize`,
      tokenPath: `${MS_LOGIN}/common/oauth2/v2.0/token`,
      scopes: ['offline_access', 'Files.ReadWrite'],
      help: 'Connect the Microsoft 365 account whose OneDrive keeps the call recordings (for a SharePoint library, set its drive id).',
      forBaseUrl: (base) => (base.replace(/\/+$/, '') === GRAPH_BASE ? undefined : { authorizeUrl: `${base.replace(/\/+$/, '')}/common/oauth2/v2.0/authorize`, tokenUrl: `${base.replace(/\/+$/, '')}/common/oauth2/v2.0/token` }),
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'token', label: 'Access token', secret: true },
        { id: 'driveId', label: 'Drive id (default: the user\'s OneDrive)', secret: false },
        { id: 'folder', label: 'Folder (default Patchbay)', secret: false },
      ],
      help: 'A Graph access token with Files.ReadWrite (short-lived: prefer Connect with OAuth).',
    },
  ],
  blocks: [] as AnyBlock[],
  emulator: {
    start: async (o) => (await import('./emulator')).startOnedriveEmulator({ port: o.port, token: o.token ?? 'dev-token', oauth: o.oauth, rateLimit: o.rateLimit }),
    demo: { port: 4034, oauthClient: { clientId: 'patchbay-demo-onedrive', clientSecret: 'patchbay-demo-onedrive-secret' } },
  },
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const { graph } = createGraphClients({ fetch: fetchImpl, conn, requestLog: [] });
    const drive = await graph.request<{ owner?: { user?: { email?: string; displayName?: string } } }>({ path: typeof conn.credentials?.driveId === 'string' && conn.credentials.driveId ? `/drives/${encodeURIComponent(conn.credentials.driveId)}` : '/me/drive' });
    return { ok: true as const, account: `OneDrive ${drive.body.owner?.user?.email ?? drive.body.owner?.user?.displayName ?? ''}`.trim() };
  },
});
