// Dropbox: call recordings stored in the customer's Dropbox (a folder, /Patchbay by default) through upload
// sessions, linked with a shared link. OAuth 2 with offline access (refresh tokens), or a generated access token.
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { createDropboxClient, DROPBOX_API_BASE } from './client';

export { uploadToDropbox } from './upload-file';

export const dropboxConnector = defineConnector({
  id: 'dropbox',
  name: 'Dropbox',
  defaultBaseUrl: DROPBOX_API_BASE,
  auth: [
    {
      type: 'oauth2',
      authorizePath: 'https://www.dropbox.com/oauth2/authorize?token_access_type=offline',
      tokenPath: 'https://api.dropboxapi.com/oauth2/token',
      scopes: ['files.content.write', 'sharing.write', 'account_info.read'],
      help: 'Connect the Dropbox account (or team member) whose folder keeps the call recordings.',
      forBaseUrl: (base) => (base.replace(/\/+$/, '') === DROPBOX_API_BASE ? undefined : { authorizeUrl: `${base.replace(/\/+$/, '')}/oauth2/authorize`, tokenUrl: `${base.replace(/\/+$/, '')}/oauth2/token` }),
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'token', label: 'Access token', secret: true },
        { id: 'folder', label: 'Folder (default /Patchbay)', secret: false },
      ],
      help: 'A token of a Dropbox app with files.content.write and sharing.write (App Console → Generate access token).',
    },
  ],
  blocks: [] as AnyBlock[],
  emulator: {
    start: async (o) => (await import('./emulator')).startDropboxEmulator({ port: o.port, token: o.token ?? 'dev-token', oauth: o.oauth, rateLimit: o.rateLimit }),
    demo: { port: 4031, oauthClient: { clientId: 'patchbay-demo-dropbox', clientSecret: 'patchbay-demo-dropbox-secret' } },
  },
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const db = createDropboxClient({ fetch: fetchImpl, conn, requestLog: [] });
    const me = await db.api.request<{ email?: string; name?: { display_name?: string } }>({ method: 'POST', path: '/2/users/get_current_account', body: null, retry: true });
    return { ok: true as const, account: `Dropbox ${me.body.email ?? me.body.name?.display_name ?? ''}`.trim() };
  },
});
