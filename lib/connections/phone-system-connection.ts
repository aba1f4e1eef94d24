// The phone-system connection of a customer, provisioned by the vendor (public API
// PUT /api/v1/customers/{id}/connections/phonesystem, staff app), never by the customer in the portal: the
// phone system is the vendor's own product. Base URL, API credentials (token, or user + password, plus the
// optional API description) and the secret that signs the phone system's call webhooks.
import type postgres from 'postgres';
import { z } from 'zod';
import { PatchbayError } from '@/engine';
import { decryptJson, type KeyInput } from '../crypto/credentials';
import { saveConnection, type ConnectionRow } from '../engine-host/connections';
import type { ConnectionView } from '../portal/contract';
import { checkApiKeyForm, toConnectionView } from './manage-connections';

export const PHONE_SYSTEM = 'phonesystem';

export const phoneSystemConnectionSchema = z.object({
  baseUrl: z.string().min(1).max(500),
  credentials: z.object({
    token: z.string().max(8000).optional(),
    username: z.string().max(500).optional(),
    password: z.string().max(8000).optional(),
    config: z.string().max(64_000).optional(),
  }).strict(),
  /** Signs call webhooks (x-phonesystem-signature); null or absent: none set, deliveries answer 401. */
  webhookSecret: z.string().min(16, 'at least 16 characters').max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').nullish(),
});
export type PhoneSystemConnectionInput = z.infer<typeof phoneSystemConnectionSchema>;

export interface PhoneSystemConnectionView extends ConnectionView { webhookSecretSet: boolean }

/** Saves (replaces) the customer's phone-system connection. */
export async function provisionPhoneSystem(sql: postgres.Sql, key: KeyInput, customerId: string, input: PhoneSystemConnectionInput): Promise<PhoneSystemConnectionView> {
  const c = input.credentials;
  const option = c.username !== undefined || c.password !== undefined ? 1 : 0;
  if (option === 1 && c.token !== undefined) throw new PatchbayError('invalid_params', 'Send either "token" or "username" + "password", not both', { path: ['credentials', 'token'] });
  const form = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const checked = checkApiKeyForm({ system: PHONE_SYSTEM, option, baseUrl: input.baseUrl, credentials: form });
  const credentials: Record<string, string> = { ...checked.credentials, ...(input.webhookSecret ? { webhookSecret: input.webhookSecret } : {}) };
  await saveConnection(sql, key, { customerId, system: PHONE_SYSTEM, name: checked.def.name, authKind: 'apiKey', baseUrl: checked.baseUrl, credentials });
  return (await readPhoneSystemConnection(sql, key, customerId))!;
}

/** The connection as the vendor sees it (never its credentials), or null when none is set. */
export async function readPhoneSystemConnection(sql: postgres.Sql, key: KeyInput, customerId: string): Promise<PhoneSystemConnectionView | null> {
  const [row] = await sql<ConnectionRow[]>`select * from connections where customer_id = ${customerId} and system = ${PHONE_SYSTEM}`;
  if (!row) return null;
  let webhookSecretSet = false;
  try { webhookSecretSet = typeof decryptJson<Record<string, unknown>>(key, row.credentials_enc).webhookSecret === 'string'; } catch { /* unreadable: not set */ }
  return { ...toConnectionView(row), webhookSecretSet };
}
