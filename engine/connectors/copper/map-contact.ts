// Copper people and companies → UnifiedContact. Phones stay as typed; dates are Unix seconds in Copper.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export interface CopperAddress { street?: string | null; city?: string | null; state?: string | null; postal_code?: string | null; country?: string | null }
export interface CopperPerson {
  id: number;
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  title?: string | null;
  company_id?: number | null;
  company_name?: string | null;
  emails?: { email: string; category?: string }[];
  phone_numbers?: { number: string; category?: string }[];
  address?: CopperAddress | null;
  assignee_id?: number | null;
  date_modified?: number;
  date_created?: number;
}
export interface CopperCompany {
  id: number;
  name?: string | null;
  email_domain?: string | null;
  phone_numbers?: { number: string; category?: string }[];
  address?: CopperAddress | null;
  assignee_id?: number | null;
  date_modified?: number;
  date_created?: number;
}

type Scalar = string | number | boolean | null;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const iso = (unixSec: number | undefined) => (typeof unixSec === 'number' ? new Date(unixSec * 1000).toISOString() : null);
const phones = (list: { number: string }[] | undefined) => (list ?? []).map((p) => text(p.number)).filter((p): p is string => p !== null);

export function mapPerson(p: CopperPerson, recordUrl: (type: 'person', id: number) => string | null): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (text(p.title)) custom.title = p.title!;
  if (text(p.address?.city)) custom.city = p.address!.city!;
  if (p.company_id != null) custom.company_id = p.company_id;
  const split = !p.first_name && !p.last_name && p.name ? p.name.trim().split(/\s+/) : null;
  return {
    source: 'copper',
    externalId: String(p.id),
    kind: 'person',
    firstName: text(p.first_name) ?? (split ? split.slice(0, -1).join(' ') || split[0] : null),
    lastName: text(p.last_name) ?? (split && split.length > 1 ? split[split.length - 1] : null),
    company: text(p.company_name),
    email: text(p.emails?.[0]?.email),
    phones: phones(p.phone_numbers),
    country: countryToIso2(p.address?.country),
    crmUrl: recordUrl('person', p.id),
    ownerId: p.assignee_id != null ? String(p.assignee_id) : null,
    custom,
    updatedAt: iso(p.date_modified),
  };
}

export function mapCompany(c: CopperCompany, recordUrl: (type: 'company', id: number) => string | null): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (text(c.address?.city)) custom.city = c.address!.city!;
  if (text(c.email_domain)) custom.email_domain = c.email_domain!;
  return {
    source: 'copper',
    externalId: String(c.id),
    kind: 'company',
    firstName: null,
    lastName: null,
    company: text(c.name),
    email: null,
    phones: phones(c.phone_numbers),
    country: countryToIso2(c.address?.country),
    crmUrl: recordUrl('company', c.id),
    ownerId: c.assignee_id != null ? String(c.assignee_id) : null,
    custom,
    updatedAt: iso(c.date_modified),
  };
}
