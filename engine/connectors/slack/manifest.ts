// Slack: a workspace the customer installs Patchbay's Slack app into (OAuth v2: a bot token for messages and
// lookups, and the installing admin's user token for members' statuses), or tokens pasted in. Blocks: post and
// update messages (Block Kit, caller cards, once per call), find members by e-mail, set statuses, and the agent
// status that follows a call.
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { callStatusBlock } from './call-status';
import { createSlackClient, SLACK_API_BASE, slackTokens } from './client';
import { findUserByEmailBlock } from './find-user-by-email';
import { postMessageBlock } from './post-message';
import { setStatusBlock } from './set-status';
import { updateMessageBlock } from './update-message';

export { callerCardBlocks, METADATA_EVENT } from './post-message';

/** Bot scopes: post (also in public channels without joining), join one to read its history (the once-per-call check), open DMs, find members. */
export const SLACK_BOT_SCOPES = ['chat:write', 'chat:write.public', 'channels:join', 'im:write', 'im:history', 'channels:read', 'channels:history', 'groups:history', 'users:read', 'users:read.email'];
/** The installing admin's scopes: members' statuses. */
export const SLACK_USER_SCOPES = ['users.profile:write', 'users.profile:read'];

export const slackConnector = defineConnector({
  id: 'slack',
  name: 'Slack',
  defaultBaseUrl: SLACK_API_BASE,
  emulator: {
    start: async (o) => (await import('./emulator')).startSlackEmulator({ port: o.port, token: o.token, rateLimit: o.rateLimit, oauth: o.oauth }),
    demo: { port: 4040, oauthClient: { clientId: 'patchbay-demo-slack', clientSecret: 'patchbay-demo-slack-secret' } },
  },
  auth: [
    {
      type: 'oauth2',
      authorizePath: 'https://slack.com/oauth/v2/authorize',
      tokenPath: 'oauth.v2.access',
      scopes: [SLACK_BOT_SCOPES.join(',')],
      help: 'Install Patchbay\'s Slack app into your workspace. Install it as a workspace admin to let Patchbay set agents\' statuses ("On a call").',
      // The authorize page is on the web host (slack.com/oauth/v2/authorize, or the emulator's own), the token
      // exchange is a Web API method under the API base; user scopes ride in user_scope.
      forBaseUrl: (base) => ({
        authorizeUrl: `${new URL(base).origin}/oauth/v2/authorize?user_scope=${encodeURIComponent(SLACK_USER_SCOPES.join(','))}`,
        tokenUrl: `${base.replace(/\/+$/, '')}/oauth.v2.access`,
      }),
      extraCredentials: (answer) => {
        const user = answer.authed_user as { access_token?: unknown; id?: unknown } | undefined;
        const team = answer.team as { id?: unknown; name?: unknown } | undefined;
        return {
          ...(typeof user?.access_token === 'string' ? { userToken: user.access_token, userId: String(user.id ?? '') } : {}),
          ...(team?.id ? { teamId: String(team.id), teamName: String(team.name ?? '') } : {}),
          ...(typeof answer.bot_user_id === 'string' ? { botUserId: answer.bot_user_id } : {}),
        };
      },
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'botToken', label: 'Bot token (xoxb-…)', secret: true },
        { id: 'userToken', label: 'Admin user token (xoxp-…, optional: for statuses)', secret: true },
      ],
      help: 'From your Slack app\'s "OAuth & Permissions" page: the Bot User OAuth Token (scopes chat:write, chat:write.public, channels:join, im:write, im:history, channels:read, channels:history, groups:history, users:read, users:read.email) and, to set agents\' statuses, a workspace admin\'s User OAuth Token with users.profile:write and users.profile:read.',
    },
  ],
  blocks: [postMessageBlock, updateMessageBlock, findUserByEmailBlock, setStatusBlock, callStatusBlock] as AnyBlock[],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const slack = createSlackClient({ fetch: fetchImpl, conn, requestLog: [] });
    const me = await slack.api<{ team?: string; team_id?: string }>('auth.test', {}, { retry: true });
    const status = slackTokens(conn.credentials).user ? '' : ' (no admin user token: statuses cannot be set)';
    return { ok: true as const, account: `Slack workspace ${String(me.team ?? me.team_id ?? '')}${status}`, accountId: me.team_id ? String(me.team_id) : undefined };
  },
});
