// Intercom contacts → UnifiedContact. Intercom keeps one name and one phone per contact; the name is split at its
// first space (first name, then the rest). Dates are Unix seconds; the location's country is a name.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export interface IntercomContact {
  id: string;
  role?: 'user' | 'lead';
  external_id?: string | null;
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  owner_id?: number | null;
  updated_at?: number;
  created_at?: number;
  location?: { country?: string | null; city?: string | null } | null;
  custom_attributes?: Record<string, unknown>;
}

type Scalar = string | number | boolean | null;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

export function splitName(name: string | null | undefined): { firstName: string | null; lastName: string | null } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return { firstName: null, lastName: null };
  return { firstName: parts[0], lastName: parts.length > 1 ? parts.slice(1).join(' ') : null };
}

export function mapIntercomContact(c: IntercomContact, contactUrl: (id: string) => string | null): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (c.role) custom.role = c.role;
  if (text(c.external_id)) custom.external_id = c.external_id!;
  if (text(c.location?.city)) custom.city = c.location!.city!;
  const company = text(c.custom_attributes?.company_name);
  return {
    source: 'intercom',
    externalId: c.id,
    kind: 'person',
    ...splitName(c.name),
    company,
    email: text(c.email),
    phones: text(c.phone) ? [c.phone!.trim()] : [],
    country: countryToIso2(c.location?.country),
    crmUrl: contactUrl(c.id),
    ownerId: c.owner_id != null ? String(c.owner_id) : null,
    custom,
    updatedAt: typeof c.updated_at === 'number' ? new Date(c.updated_at * 1000).toISOString() : null,
  };
}
