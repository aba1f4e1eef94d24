// A customer's connections as the portal manages them: connect with an API key (fields checked against
// the connector's manifest), disconnect, and the portal's view of every connector with its health.
// Credentials go in encrypted (lib/engine-host/connections.ts) and never come back out of this module.
import type { KeyInput } from '../crypto/credentials';
import type postgres from 'postgres';
import { PatchbayError } from '@/engine';
import { catalog } from '@/engine/connectors';
import type { AuthKind, ConnectorDefinition } from '@/engine/connectors';
import { saveConnection, type ConnectionRow } from '../engine-host/connections';
import type { AuthOptionView, ConnectionView, ConnectorView } from '../portal/contract';
import { type Env, oauthClientFor, oauthEnvNames, suggestedBaseUrl } from './oauth-clients';

/**
 * Connections the vendor provisions for its customers (API, staff app), never the customer in the portal:
 * the phone system is the vendor's own product.
 */
export const VENDOR_MANAGED_SYSTEMS: ReadonlySet<string> = new Set(['phonesystem']);

/** A connector the customer may connect in the portal (vendor-managed ones look like missing ones). */
export function findCustomerConnector(system: string): ConnectorDefinition {
  if (VENDOR_MANAGED_SYSTEMS.has(system)) throw new PatchbayError('connector_not_found', `Patchbay has no connector "${system}"`);
  return findConnector(system);
}

export function findConnector(system: string): ConnectorDefinition {
  const entry = Object.prototype.hasOwnProperty.call(catalog, system) ? catalog[system] : undefined;
  if (!entry) throw new PatchbayError('connector_not_found', `Patchbay has no connector "${system}"`);
  return entry.connector;
}

/** The API-key form at `option` (an index into the manifest's auth list), or the first one. */
export function apiKeyAuth(def: ConnectorDefinition, option?: number): Extract<AuthKind, { type: 'apiKey' }> | undefined {
  if (option !== undefined) {
    const a = def.auth[option];
    return a?.type === 'apiKey' ? a : undefined;
  }
  return def.auth.find((a): a is Extract<AuthKind, { type: 'apiKey' }> => a.type === 'apiKey');
}

export function oauthAuth(def: ConnectorDefinition): Extract<AuthKind, { type: 'oauth2' }> | undefined {
  return def.auth.find((a): a is Extract<AuthKind, { type: 'oauth2' }> => a.type === 'oauth2');
}

const iso = (v: Date | string | null | undefined): string | null => (v == null ? null : new Date(v).toISOString());

export function toConnectionView(row: Omit<ConnectionRow, 'credentials_enc'>): ConnectionView {
  const status = row.status === 'ok' || row.status === 'error' ? row.status : 'unknown';
  return {
    authKind: row.auth_kind, baseUrl: row.base_url, status, lastSuccessAt: iso(row.last_success_at), lastErrorAt: iso(row.last_error_at),
    lastError: row.last_error, updatedAt: iso(row.updated_at)!,
  };
}

export async function listConnectorViews(sql: postgres.Sql, customerId: string, env: Env = process.env): Promise<ConnectorView[]> {
  const rows = await sql<Omit<ConnectionRow, 'credentials_enc'>[]>`
    select id, customer_id, system, name, auth_kind, base_url, status, last_success_at, last_error_at, last_error, updated_at
    from connections where customer_id = ${customerId}`;
  const bySystem = new Map(rows.map((r) => [r.system, r]));
  return Object.values(catalog).filter(({ connector: def }) => !VENDOR_MANAGED_SYSTEMS.has(def.id)).map(({ connector: def }) => {
    const row = bySystem.get(def.id);
    return {
      system: def.id,
      name: def.name,
      defaultBaseUrl: def.defaultBaseUrl,
      suggestedBaseUrl: suggestedBaseUrl(def.id, def.defaultBaseUrl, env),
      auth: def.auth.map((a, option): AuthOptionView => {
        if (a.type === 'apiKey') return { option, type: 'apiKey', fields: a.fields, help: a.help ?? null };
        const client = oauthClientFor(def.id, env);
        return {
          option, type: 'oauth2', available: !!client, help: a.help ?? null,
          unavailableReason: client ? null : `OAuth is not set up on this Patchbay (the administrator sets ${oauthEnvNames(def.id).join(' and ')})`,
        };
      }),
      canTest: typeof def.testConnection === 'function',
      connection: row ? toConnectionView(row) : null,
    };
  });
}

/** An http(s) URL without a trailing slash, or a 400-worthy error. */
export function normalizeBaseUrl(raw: string): string {
  let u: URL;
  try { u = new URL(raw.trim()); } catch { throw new PatchbayError('invalid_params', `"${raw}" is not a URL: enter an address such as https://api.example.com`, { path: ['baseUrl'] }); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new PatchbayError('invalid_params', 'The base URL must start with https:// (or http:// for a local emulator)', { path: ['baseUrl'] });
  if (u.username || u.password) throw new PatchbayError('invalid_params', 'Put credentials in their fields, not in the base URL', { path: ['baseUrl'] });
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

export async function connectWithApiKey(
  sql: postgres.Sql,
  key: KeyInput,
  p: { customerId: string; system: string; option?: number; baseUrl?: string | null; credentials: Record<string, string> },
): Promise<void> {
  const { def, baseUrl, credentials } = checkApiKeyForm(p);
  await saveConnection(sql, key, { customerId: p.customerId, system: def.id, name: def.name, authKind: 'apiKey', baseUrl, credentials });
}

/** The API-key form's fields checked against the manifest: required secrets present, no control characters, no unknown fields. */
export function checkApiKeyForm(p: { system: string; option?: number; baseUrl?: string | null; credentials: Record<string, string> }): { def: ConnectorDefinition; baseUrl: string; credentials: Record<string, string> } {
  const def = findConnector(p.system);
  const auth = apiKeyAuth(def, p.option);
  if (!auth) {
    throw new PatchbayError('invalid_params', p.option !== undefined && def.auth.some((a) => a.type === 'apiKey')
      ? `${def.name} has no API-key form number ${p.option}` : `${def.name} connects with OAuth only: use "Connect with OAuth"`, { path: ['option'] });
  }
  const credentials: Record<string, string> = {};
  for (const f of auth.fields) {
    const v = (p.credentials[f.id] ?? '').trim();
    // Secret fields are what authenticates; the others (a company domain, …) may be left empty.
    if (!v && f.secret) throw new PatchbayError('invalid_params', `${f.label} is required`, { path: ['credentials', f.id] });
    // A key pasted with a line break in the middle (or worse) would fail on every request, far from here.
    if (/[\u0000-\u001f\u007f]/.test(v)) throw new PatchbayError('invalid_params', `${f.label} contains a line break or another control character: paste it again`, { path: ['credentials', f.id] });
    if (v) credentials[f.id] = v;
  }
  const unknown = Object.keys(p.credentials).filter((k) => !auth.fields.some((f) => f.id === k));
  if (unknown.length) throw new PatchbayError('invalid_params', `${def.name} has no field "${unknown[0]}"`, { path: ['credentials', unknown[0]] });
  return { def, baseUrl: normalizeBaseUrl(p.baseUrl || def.defaultBaseUrl), credentials };
}

export async function disconnect(sql: postgres.Sql, customerId: string, system: string): Promise<boolean> {
  const rows = await sql`delete from connections where customer_id = ${customerId} and system = ${system} returning id`;
  return rows.length > 0;
}
