// SugarCRM Contacts and Accounts → UnifiedContact. Phones stay as typed (Sugar keeps them as free text); the
// country comes from the primary (Contacts) or billing (Accounts) address, which Sugar stores as free text too.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export const CONTACT_PHONE_FIELDS = ['phone_work', 'phone_mobile', 'phone_home', 'phone_other'] as const;
export const ACCOUNT_PHONE_FIELDS = ['phone_office', 'phone_alternate'] as const;
export const CONTACT_FIELDS = ['id', 'first_name', 'last_name', 'title', 'email', 'email1', ...CONTACT_PHONE_FIELDS, 'primary_address_city', 'primary_address_country', 'account_id', 'account_name', 'assigned_user_id', 'date_modified'].join(',');
export const ACCOUNT_FIELDS = ['id', 'name', 'email', 'email1', ...ACCOUNT_PHONE_FIELDS, 'billing_address_city', 'billing_address_country', 'industry', 'assigned_user_id', 'date_modified'].join(',');

export interface SugarEmail { email_address: string; primary_address?: boolean }
export interface SugarContact {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
  title?: string | null;
  email?: SugarEmail[];
  email1?: string | null;
  phone_work?: string | null;
  phone_mobile?: string | null;
  phone_home?: string | null;
  phone_other?: string | null;
  primary_address_city?: string | null;
  primary_address_country?: string | null;
  account_id?: string | null;
  account_name?: string | null;
  assigned_user_id?: string | null;
  date_modified?: string;
}
export interface SugarAccount {
  id: string;
  name?: string | null;
  email?: SugarEmail[];
  email1?: string | null;
  phone_office?: string | null;
  phone_alternate?: string | null;
  billing_address_city?: string | null;
  billing_address_country?: string | null;
  industry?: string | null;
  assigned_user_id?: string | null;
  date_modified?: string;
}

type Scalar = string | number | boolean | null;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);

function primaryEmail(r: { email?: SugarEmail[]; email1?: string | null }): string | null {
  const list = r.email ?? [];
  return text(list.find((e) => e.primary_address)?.email_address) ?? text(list[0]?.email_address) ?? text(r.email1);
}

function iso(t: string | undefined): string | null {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function mapContact(r: SugarContact, recordUrl: (module: string, id: string) => string): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (text(r.title)) custom.title = r.title!;
  if (text(r.primary_address_city)) custom.city = r.primary_address_city!;
  if (text(r.account_id)) custom.account_id = r.account_id!;
  return {
    source: 'sugarcrm',
    externalId: r.id,
    kind: 'person',
    firstName: text(r.first_name),
    lastName: text(r.last_name),
    company: text(r.account_name),
    email: primaryEmail(r),
    phones: CONTACT_PHONE_FIELDS.map((f) => text(r[f])).filter((p): p is string => p !== null),
    country: countryToIso2(r.primary_address_country),
    crmUrl: recordUrl('Contacts', r.id),
    ownerId: text(r.assigned_user_id),
    custom,
    updatedAt: iso(r.date_modified),
  };
}

export function mapAccount(r: SugarAccount, recordUrl: (module: string, id: string) => string): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (text(r.industry)) custom.industry = r.industry!;
  if (text(r.billing_address_city)) custom.city = r.billing_address_city!;
  return {
    source: 'sugarcrm',
    externalId: r.id,
    kind: 'company',
    firstName: null,
    lastName: null,
    company: text(r.name),
    email: primaryEmail(r),
    phones: ACCOUNT_PHONE_FIELDS.map((f) => text(r[f])).filter((p): p is string => p !== null),
    country: countryToIso2(r.billing_address_country),
    crmUrl: recordUrl('Accounts', r.id),
    ownerId: text(r.assigned_user_id),
    custom,
    updatedAt: iso(r.date_modified),
  };
}
