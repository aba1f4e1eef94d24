// Box: call recordings stored in the customer's Box (a folder, All Files by default) through chunked upload
// sessions, linked with a shared link (open or company). OAuth 2 with refresh, or a developer token.
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { BOX_API_BASE, createBoxClient } from './client';

export { uploadToBox } from './upload-file';

export const boxConnector = defineConnector({
  id: 'box',
  name: 'Box',
  defaultBaseUrl: BOX_API_BASE,
  auth: [
    {
      type: 'oauth2',
      authorizePath: 'https://account.box.com/api/oauth2/authorize',
      tokenPath: 'https://api.box.com/oauth2/token',
      scopes: [],
      help: 'Connect the Box user whose folder keeps the call recordings (scopes: read and write all files, manage shared links — set in the Box app).',
      forBaseUrl: (base) => (base.replace(/\/+$/, '') === BOX_API_BASE ? undefined : { authorizeUrl: `${base.replace(/\/+$/, '')}/api/oauth2/authorize`, tokenUrl: `${base.replace(/\/+$/, '')}/oauth2/token` }),
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'token', label: 'Developer token', secret: true },
        { id: 'folderId', label: 'Folder id (default 0: All Files)', secret: false },
      ],
      help: 'A developer token of a Box app allowed to write files (it lasts 60 minutes: prefer Connect with OAuth).',
    },
  ],
  blocks: [] as AnyBlock[],
  emulator: {
    start: async (o) => (await import('./emulator')).startBoxEmulator({ port: o.port, token: o.token ?? 'dev-token', oauth: o.oauth, rateLimit: o.rateLimit }),
    demo: { port: 4033, oauthClient: { clientId: 'patchbay-demo-box', clientSecret: 'patchbay-demo-box-secret' } },
  },
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const box = createBoxClient({ fetch: fetchImpl, conn, requestLog: [] });
    const me = await box.api.request<{ login?: string; name?: string }>({ path: '/users/me' });
    return { ok: true as const, account: `Box ${me.body.login ?? me.body.name ?? ''}`.trim() };
  },
});
