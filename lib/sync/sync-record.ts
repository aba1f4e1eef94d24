// A source record on its way to the destinations: its id namespaced by kind, its numbers normalised once
// (contact's country, else the customer's default) and the numbers that would not parse, for the run's problems.
//
// Company ids are namespaced: `externalId` "company:<crm id>" under the same `source` ("hubspot"). HubSpot
// (and Pipedrive) number contacts and companies independently, so "123" may be both; the prefix keeps
// them apart in the CDP and the phonebook for every CRM, while `source` stays the system's id, which
// lookups, delete webhooks and the CDP's per-source queries use. The raw CRM id is the part after the prefix.
import { normalizePhone, type UnifiedContact } from '@/engine';
import type { ObjectKind } from '@/engine/connectors';

export const COMPANY_ID_PREFIX = 'company:';

export function syncedExternalId(kind: ObjectKind, crmId: string): string {
  return kind === 'company' && !crmId.startsWith(COMPANY_ID_PREFIX) ? COMPANY_ID_PREFIX + crmId : crmId;
}

export function kindOfSyncedId(externalId: string): ObjectKind {
  return externalId.startsWith(COMPANY_ID_PREFIX) ? 'company' : 'person';
}

export interface SyncProblem {
  externalId: string;
  kind: ObjectKind;
  phone?: string;
  reason: string;
  destination?: string;
}

export interface SyncRecord {
  contact: UnifiedContact;
  /** Valid numbers in E.164, deduplicated. */
  e164: string[];
  problems: SyncProblem[];
}

export function prepareSyncRecord(c: UnifiedContact, kind: ObjectKind, defaultCountry: string): SyncRecord {
  const contact: UnifiedContact = { ...c, kind, externalId: syncedExternalId(kind, c.externalId) };
  const e164: string[] = [];
  const problems: SyncProblem[] = [];
  const country = contact.country ? contact.country.toUpperCase() : null;
  for (const raw of contact.phones ?? []) {
    const n = normalizePhone(raw, country ?? defaultCountry);
    if (n.e164) { if (!e164.includes(n.e164)) e164.push(n.e164); }
    else problems.push({ externalId: contact.externalId, kind, phone: raw, reason: n.reason ?? 'not a valid number' });
  }
  return { contact, e164, problems };
}
