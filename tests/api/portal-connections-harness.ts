// What the portal connection tests of one CRM pair share: a customer with a portal session, the installation's demo
// OAuth apps, the OAuth round trip through the portal (start → the emulator's authorize → callback) and the
// connection's stored credentials, decrypted. Each test file starts its own emulators and asserts what its CRMs do.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, inject } from 'vitest';
import { decryptJson } from '@/lib/crypto/credentials';
import { DEMO_EMULATORS, demoApp } from '@/lib/connections/oauth-clients';
import { api, browse, db } from './helpers';

// The installation's demo OAuth apps: their secrets are generated per data folder (demo-apps.json), not the declared constants.
export const demoOAuthApp = (system: string) => demoApp(system, inject('dataDir'))!;

function encryptionKey(): Buffer {
  const s = JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8'));
  return Buffer.from(process.env.PATCHBAY_ENCRYPTION_KEY ?? s.encryptionKey, 'hex');
}

const cookieValue = (setCookies: string[], name: string) => setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0];

export interface PortalCustomer {
  /** The customer's external id, as portal URLs name it. */
  cust: string;
  /** The portal session cookie, set once beforeAll ran. */
  readonly cookie: string;
  storedCredentials(system: string): Promise<{ baseUrl: string; authKind: string; credentials: Record<string, unknown> }>;
  /** Connects `system` with OAuth through the portal against the emulator at `emuUrl`; returns the authorize URL used. */
  oauthRoundTrip(system: string, emuUrl: string): Promise<string>;
}

/** Creates (in beforeAll) a customer named `name` with external id `<prefix>-<random>` and opens a portal session for it. */
export function portalCustomer(prefix: string, name: string): PortalCustomer {
  const cust = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  let cookie = '';

  beforeAll(async () => {
    expect((await api('/api/v1/customers', { body: { externalId: cust, name } })).status).toBe(201);
    const link = await api(`/api/v1/customers/${cust}/portal-links`, { method: 'POST' });
    cookie = cookieValue((await browse(link.body.url)).setCookies, 'pb_portal')!;
  });

  return {
    cust,
    get cookie() { return cookie; },
    async storedCredentials(system) {
      const [row] = await db()`select c.base_url, c.auth_kind, c.credentials_enc from connections c join customers cu on cu.id = c.customer_id where cu.external_id = ${cust} and c.system = ${system}`;
      return { baseUrl: row.base_url as string, authKind: row.auth_kind as string, credentials: decryptJson<Record<string, unknown>>(encryptionKey(), row.credentials_enc as string) };
    },
    async oauthRoundTrip(system, emuUrl) {
      const start = await browse(`/api/portal/${cust}/connections/${system}/oauth/start`, { method: 'POST', cookie, body: { baseUrl: emuUrl } });
      expect(start.status).toBe(200);
      expect(new URL(start.body.authorizeUrl).searchParams.get('client_id')).toBe(DEMO_EMULATORS[system].clientId);
      const approved = await browse(start.body.authorizeUrl);
      expect(approved.status).toBe(302);
      const done = await browse(approved.location!, { cookie: `${cookie}; ${cookieValue(start.setCookies, 'pb_portal_oauth')}` });
      expect(done.status).toBe(303);
      expect(done.location).toBe(`/portal/${cust}/connections?connected=${system}`);
      return start.body.authorizeUrl as string;
    },
  };
}
