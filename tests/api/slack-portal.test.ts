// The customer portal offers Slack with OAuth: the customer installs Patchbay's (demo) Slack app in the Slack
// emulator's workspace — authorize → callback → oauth.v2.access — and the connection keeps the bot token and the
// installing admin's user token (for statuses), encrypted; its test call names the workspace.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '@/engine/connectors/slack/emulator';
import { decryptJson } from '@/lib/crypto/credentials';
import { demoApp } from '@/lib/connections/oauth-clients';
import { api, baseUrl, browse, db } from './helpers';

const cust = `slack-portal-${Math.random().toString(36).slice(2, 8)}`;
let emu: SlackEmulator;
const cookieValue = (setCookies: string[], name: string) => setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0];
const encryptionKey = () => Buffer.from(process.env.PATCHBAY_ENCRYPTION_KEY ?? JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'Slack portal' } })).status).toBe(201);
  emu = await startSlackEmulator({ oauth: demoApp('slack', inject('dataDir'))! });
});
afterAll(async () => { await emu?.close(); });

describe('Slack in the customer portal', () => {
  it('is offered with OAuth and an API-token form; installing it stores the bot and admin tokens and tests green', async () => {
    const link = await api(`/api/v1/customers/${cust}/portal-links`, { method: 'POST' });
    const opened = await browse(link.body.url);
    const cookie = cookieValue(opened.setCookies, 'pb_portal')!;
    const list = await browse(`/api/portal/${cust}/connections`, { cookie });
    const slack = list.body.connectors.find((c: { system: string }) => c.system === 'slack');
    expect(slack).toMatchObject({
      name: 'Slack', defaultBaseUrl: 'https://slack.com/api', suggestedBaseUrl: 'http://127.0.0.1:4040', connection: null,
      auth: [{ type: 'oauth2', option: 0, available: true }, { type: 'apiKey', option: 1, fields: [{ id: 'botToken', secret: true }, { id: 'userToken', secret: true }] }],
    });

    const start = await browse(`/api/portal/${cust}/connections/slack/oauth/start`, { method: 'POST', cookie, body: { baseUrl: emu.url } });
    expect(start.status).toBe(200);
    const authorize = new URL(start.body.authorizeUrl);
    expect(authorize.origin + authorize.pathname).toBe(`${emu.url}/oauth/v2/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe('patchbay-demo-slack');
    expect(authorize.searchParams.get('scope')).toContain('chat:write');
    expect(authorize.searchParams.get('user_scope')).toBe('users.profile:write,users.profile:read');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${baseUrl()}/api/portal/oauth/callback`);
    const approved = await browse(start.body.authorizeUrl);
    expect(approved.status).toBe(302);
    const done = await browse(approved.location!, { cookie: `${cookie}; ${cookieValue(start.setCookies, 'pb_portal_oauth')}` });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/portal/${cust}/connections?connected=slack`);

    const [row] = await db()`select c.auth_kind, c.base_url, c.status, c.credentials_enc, c::text as row_text from connections c join customers cu on cu.id = c.customer_id where cu.external_id = ${cust} and c.system = 'slack'`;
    expect(row).toMatchObject({ auth_kind: 'oauth2', base_url: emu.url, status: 'ok' });
    const creds = decryptJson<Record<string, string>>(encryptionKey(), row.credentials_enc);
    expect(creds).toMatchObject({ accessToken: expect.stringMatching(/^xoxb-/), userToken: expect.stringMatching(/^xoxp-/), teamId: emu.store.team.id });
    for (const secret of [creds.accessToken, creds.userToken]) expect(row.row_text).not.toContain(secret);
    const test = await browse(`/api/portal/${cust}/connections/slack/test`, { method: 'POST', cookie });
    expect(test.body).toMatchObject({ ok: true, account: 'Slack workspace Patchbay Demo', connection: { authKind: 'oauth2', status: 'ok' } });

    // A revoked installation reads as what it is.
    emu.revokeToken(creds.accessToken);
    const broken = await browse(`/api/portal/${cust}/connections/slack/test`, { method: 'POST', cookie });
    expect(broken.body).toMatchObject({ ok: false, connection: { status: 'error' } });
    expect(broken.body.error).toMatch(/invalid_auth.*reconnect Slack/);
  });
});
