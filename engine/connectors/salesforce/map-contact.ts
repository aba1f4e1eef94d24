// Salesforce Contact / Account records → Patchbay's UnifiedContact. Phones are passed on as typed in
// Salesforce (the CDP normalises them); the country comes from MailingCountry / BillingCountry, which
// are free text unless the org enabled country picklists, so names are mapped to ISO-2 (engine/core/country.ts).
import type { UnifiedContact } from '../../core/contact';
import { parseSalesforceDateTime } from './soql';
import { countryToIso2 } from '../../core/country';

export type SalesforceRecord = Record<string, unknown> & { Id: string; attributes?: { type: string; url: string } };

const CONTACT_PHONE_FIELDS = ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone'];
const ACCOUNT_PHONE_FIELDS = ['Phone'];
/** Fields mapped to UnifiedContact's own properties (everything else scalar goes to `custom`). */
const MAPPED = new Set(['attributes', 'Id', 'FirstName', 'LastName', 'Name', 'Email', 'OwnerId', 'LastModifiedDate', 'MailingCountry', 'BillingCountry', 'Account', 'AccountId', ...CONTACT_PHONE_FIELDS]);

export function recordUrl(instanceUrl: string, sobject: string, id: string): string {
  return `${instanceUrl}/lightning/r/${sobject}/${id}/view`;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function customOf(r: SalesforceRecord): Record<string, string | number | boolean | null> {
  const custom: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(r)) {
    if (MAPPED.has(k)) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') custom[k] = v;
  }
  return custom;
}

function isoOf(v: unknown): string | null {
  const ms = parseSalesforceDateTime(v);
  return ms === null ? null : new Date(ms).toISOString();
}

function phonesOf(r: SalesforceRecord, fields: string[]): string[] {
  return fields.map((f) => str(r[f])).filter((p): p is string => p !== null);
}

export function mapContact(r: SalesforceRecord, instanceUrl: string): UnifiedContact {
  const account = r.Account && typeof r.Account === 'object' ? (r.Account as Record<string, unknown>) : null;
  return {
    source: 'salesforce',
    externalId: r.Id,
    kind: 'person',
    firstName: str(r.FirstName),
    lastName: str(r.LastName),
    company: str(account?.Name),
    email: str(r.Email),
    phones: phonesOf(r, CONTACT_PHONE_FIELDS),
    country: countryToIso2(r.MailingCountry),
    crmUrl: recordUrl(instanceUrl, 'Contact', r.Id),
    ownerId: str(r.OwnerId),
    custom: { ...customOf(r), ...(str(r.AccountId) ? { AccountId: r.AccountId as string } : {}) },
    updatedAt: isoOf(r.LastModifiedDate),
  };
}

export function mapAccount(r: SalesforceRecord, instanceUrl: string): UnifiedContact {
  return {
    source: 'salesforce',
    externalId: r.Id,
    kind: 'company',
    firstName: null,
    lastName: null,
    company: str(r.Name),
    email: null,
    phones: phonesOf(r, ACCOUNT_PHONE_FIELDS),
    country: countryToIso2(r.BillingCountry),
    crmUrl: recordUrl(instanceUrl, 'Account', r.Id),
    ownerId: str(r.OwnerId),
    custom: customOf(r),
    updatedAt: isoOf(r.LastModifiedDate),
  };
}
