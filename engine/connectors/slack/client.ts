// Slack's Web API through the shared HTTP client: every method is a POST to `<base>/<method>` with form-encoded
// arguments (objects such as blocks, metadata and profile as JSON text, as Slack's own SDK sends them) and the
// token as `Authorization: Bearer`. Slack answers HTTP 200 with `{"ok":false,"error":"…"}` for failures: those
// become PatchbayErrors here (token problems are connection_auth, "reconnect Slack"); 429 + Retry-After is waited
// out by the shared client.
import { createHttpClient } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';

export const SLACK_API_BASE = 'https://slack.com/api';

/** Errors that mean the token (or its scopes) cannot do this: the customer must reconnect or re-install Slack. */
const AUTH_ERRORS = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'not_allowed_token_type', 'not_admin', 'ekm_access_denied', 'team_access_not_granted']);

export class SlackApiError extends PatchbayError {
  constructor(readonly method: string, readonly slackError: string, body: unknown) {
    const auth = AUTH_ERRORS.has(slackError);
    const b = (body ?? {}) as Record<string, unknown>;
    const why = slackError === 'missing_scope' ? ` (needs ${String(b.needed ?? '?')})` : slackError === 'not_allowed_token_type' || slackError === 'not_admin' ? ': setting another user\'s status needs the token of a workspace admin who installed the app' : '';
    super(auth ? 'connection_auth' : 'upstream_error', auth ? `Slack refused ${method}: ${slackError}${why}; reconnect Slack` : `Slack refused ${method}: ${slackError}`, { details: { slackError, body } });
    this.name = 'SlackApiError';
  }
}

export interface SlackClient {
  /** Calls a Web API method; `ok:false` throws SlackApiError unless its error is in `allow` (then the body is returned). */
  api<T extends Record<string, unknown> = Record<string, unknown>>(method: string, args: Record<string, unknown>, opts?: { as?: 'bot' | 'user'; retry?: boolean; allow?: string[] }): Promise<T & { ok: boolean; error?: string }>;
}

const tokenOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** The bot token (chat, users, conversations) and, when the connection has one, an admin user's token (status). */
export function slackTokens(creds: Record<string, unknown>): { bot: string | null; user: string | null } {
  return { bot: tokenOf(creds.accessToken) ?? tokenOf(creds.botToken) ?? tokenOf(creds.token), user: tokenOf(creds.userToken) };
}

function formOf(args: Record<string, unknown>): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined || v === null) continue;
    form[k] = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }
  return form;
}

export function createSlackClient(call: ConnectorCall): SlackClient {
  const base = (call.conn.baseUrl || SLACK_API_BASE).replace(/\/+$/, '');
  const tokens = slackTokens(call.conn.credentials ?? {});
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: base,
    systemName: 'Slack',
    requestLog: call.requestLog,
    signal: call.signal,
    errorMessage: (_s, body) => (body && typeof body === 'object' ? String((body as Record<string, unknown>).error ?? '') || undefined : undefined),
    ...call.http,
  });
  return {
    async api(method, args, opts = {}) {
      const token = opts.as === 'user' ? tokens.user : tokens.bot;
      if (!token) {
        throw new PatchbayError('connection_auth', opts.as === 'user'
          ? 'The Slack connection has no user token of a workspace admin (needed to set statuses): reconnect Slack with OAuth as an admin, or add the admin\'s xoxp- token'
          : 'The Slack connection has no bot token: reconnect Slack');
      }
      const res = await http.request<Record<string, unknown>>({
        method: 'POST', path: `/${method}`, form: formOf(args), headers: { authorization: `Bearer ${token}` }, retry: opts.retry ?? false,
      });
      const body = (res.body ?? {}) as Record<string, unknown>;
      if (body.ok !== true) {
        const error = typeof body.error === 'string' ? body.error : 'unknown_error';
        if (opts.allow?.includes(error)) return body as never;
        throw new SlackApiError(method, error, body);
      }
      return body as never;
    },
  };
}
