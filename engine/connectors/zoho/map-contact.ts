// Zoho CRM Contacts / Accounts records → Patchbay's UnifiedContact. Phones pass on as typed (the CDP normalises
// them); Mailing_Country / Billing_Country are free text, mapped to ISO-2; the company is the Account_Name lookup.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export type ZohoRow = Record<string, unknown> & { id: string };

export const CONTACT_PHONE_FIELDS = ['Phone', 'Mobile', 'Home_Phone', 'Other_Phone', 'Asst_Phone'];
export const ACCOUNT_PHONE_FIELDS = ['Phone'];
export const CONTACT_FIELDS = ['First_Name', 'Last_Name', 'Email', ...CONTACT_PHONE_FIELDS, 'Title', 'Mailing_City', 'Mailing_Country', 'Account_Name', 'Owner', 'Modified_Time'];
export const ACCOUNT_FIELDS = ['Account_Name', ...ACCOUNT_PHONE_FIELDS, 'Website', 'Billing_City', 'Billing_Country', 'Owner', 'Modified_Time'];

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const lookup = (v: unknown): { id: string; name: string | null } | null =>
  v && typeof v === 'object' && 'id' in v ? { id: String((v as { id: unknown }).id), name: str((v as { name?: unknown }).name) } : null;
const iso = (v: unknown): string | null => {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};
const phonesOf = (r: ZohoRow, fields: string[]) => fields.map((f) => str(r[f])).filter((p): p is string => p !== null);

export function mapContact(r: ZohoRow, url: (module: string, id: string) => string): UnifiedContact {
  const account = lookup(r.Account_Name);
  const custom: Record<string, string> = {};
  if (str(r.Title)) custom.Title = r.Title as string;
  if (str(r.Mailing_City)) custom.Mailing_City = r.Mailing_City as string;
  if (account) custom.Account_Id = account.id;
  return {
    source: 'zoho',
    externalId: r.id,
    kind: 'person',
    firstName: str(r.First_Name),
    lastName: str(r.Last_Name),
    company: account?.name ?? null,
    email: str(r.Email),
    phones: phonesOf(r, CONTACT_PHONE_FIELDS),
    country: countryToIso2(r.Mailing_Country),
    crmUrl: url('Contacts', r.id),
    ownerId: lookup(r.Owner)?.id ?? null,
    custom,
    updatedAt: iso(r.Modified_Time),
  };
}

export function mapAccount(r: ZohoRow, url: (module: string, id: string) => string): UnifiedContact {
  const custom: Record<string, string> = {};
  if (str(r.Website)) custom.Website = r.Website as string;
  if (str(r.Billing_City)) custom.Billing_City = r.Billing_City as string;
  return {
    source: 'zoho',
    externalId: r.id,
    kind: 'company',
    firstName: null,
    lastName: null,
    company: str(r.Account_Name),
    email: null,
    phones: phonesOf(r, ACCOUNT_PHONE_FIELDS),
    country: countryToIso2(r.Billing_Country),
    crmUrl: url('Accounts', r.id),
    ownerId: lookup(r.Owner)?.id ?? null,
    custom,
    updatedAt: iso(r.Modified_Time),
  };
}
