// Keap contacts → UnifiedContact. Phones stay as typed; addresses carry ISO 3166-1 alpha-3 country codes.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export interface KeapContact {
  id: number;
  given_name?: string | null;
  family_name?: string | null;
  job_title?: string | null;
  company?: { id: number; company_name?: string | null } | null;
  email_addresses?: { email: string; field?: string }[];
  phone_numbers?: { number: string; field?: string; type?: string | null }[];
  addresses?: { locality?: string | null; country_code?: string | null; field?: string }[];
  owner_id?: number | null;
  last_updated?: string;
}

type Scalar = string | number | boolean | null;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

export function mapKeapContact(c: KeapContact, contactUrl: (id: number) => string | null): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (text(c.job_title)) custom.title = c.job_title!;
  const address = c.addresses?.find((a) => a.field === 'BILLING') ?? c.addresses?.[0];
  if (text(address?.locality)) custom.city = address!.locality!;
  if (c.company?.id) custom.company_id = c.company.id;
  const email = c.email_addresses?.find((e) => e.field === 'EMAIL1') ?? c.email_addresses?.[0];
  return {
    source: 'keap',
    externalId: String(c.id),
    kind: 'person',
    firstName: text(c.given_name),
    lastName: text(c.family_name),
    company: text(c.company?.company_name),
    email: text(email?.email),
    phones: (c.phone_numbers ?? []).map((p) => text(p.number)).filter((p): p is string => p !== null),
    country: countryToIso2(address?.country_code),
    crmUrl: contactUrl(c.id),
    ownerId: c.owner_id != null ? String(c.owner_id) : null,
    custom,
    updatedAt: c.last_updated && Number.isFinite(Date.parse(c.last_updated)) ? new Date(c.last_updated).toISOString() : null,
  };
}
