// Pipedrive API v2 persons and organizations → UnifiedContact. Phones stay as the user typed them;
// the sync normalises them. Countries come from the postal address, which Pipedrive stores as a name.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export interface PipedriveLabeled {
  value: string;
  primary?: boolean;
  label?: string;
}

export interface PipedriveAddress {
  value?: string | null;
  country?: string | null;
  admin_area_level_1?: string | null;
  admin_area_level_2?: string | null;
  locality?: string | null;
  sublocality?: string | null;
  route?: string | null;
  street_number?: string | null;
  subpremise?: string | null;
  postal_code?: string | null;
}

/** GET /api/v2/persons item. */
export interface PipedrivePerson {
  id: number;
  name: string;
  first_name?: string | null;
  last_name?: string | null;
  owner_id?: number | null;
  org_id?: number | null;
  add_time?: string;
  update_time?: string;
  emails?: PipedriveLabeled[];
  phones?: PipedriveLabeled[];
  is_deleted?: boolean;
  visible_to?: number;
  label_ids?: number[];
  picture_id?: number | null;
  postal_address?: PipedriveAddress | null;
  notes?: string | null;
  im?: PipedriveLabeled[];
  birthday?: string | null;
  job_title?: string | null;
  custom_fields?: Record<string, unknown> | null;
}

/** GET /api/v2/organizations item. */
export interface PipedriveOrganization {
  id: number;
  name: string;
  owner_id?: number | null;
  add_time?: string;
  update_time?: string;
  is_deleted?: boolean;
  visible_to?: number;
  address?: PipedriveAddress | null;
  label_ids?: number[];
  custom_fields?: Record<string, unknown> | null;
}

// ---------- mapping ----------

type Scalar = string | number | boolean | null;

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Custom fields keep their 40-character hash keys; monetary/address objects contribute their `value`. */
function customScalars(fields: Record<string, unknown> | null | undefined, out: Record<string, Scalar>, skip: Set<string> = new Set()) {
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (skip.has(k) || v === undefined) continue;
    if (isScalar(v)) out[k] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && isScalar((v as { value?: unknown }).value)) out[k] = (v as { value: Scalar }).value;
  }
}

function primaryFirst(list: PipedriveLabeled[] | undefined): string[] {
  const items = (list ?? []).filter((x) => x && typeof x.value === 'string' && x.value.trim() !== '');
  return [...items.filter((x) => x.primary), ...items.filter((x) => !x.primary)].map((x) => x.value);
}

function iso(t: string | undefined | null): string | null {
  if (!t) return null;
  // v2 answers RFC 3339 ("2025-01-01T10:20:00Z"); v1 "YYYY-MM-DD HH:MM:SS" in UTC.
  const d = new Date(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(t) ? t.replace(' ', 'T') + 'Z' : t);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function splitName(name: string): { first: string | null; last: string | null } {
  const parts = name.trim().split(/\s+/);
  if (!parts[0]) return { first: null, last: null };
  if (parts.length === 1) return { first: parts[0], last: null };
  return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] };
}

export function mapPerson(p: PipedrivePerson, o: { orgName?: string | null; personUrl: (id: number) => string }): UnifiedContact {
  const fallback = splitName(p.name ?? '');
  const custom: Record<string, Scalar> = {};
  if (p.job_title) custom.job_title = p.job_title;
  if (p.birthday) custom.birthday = p.birthday;
  if (p.org_id != null) custom.org_id = p.org_id;
  if (p.visible_to != null) custom.visible_to = p.visible_to;
  if (p.label_ids?.length) custom.label_ids = p.label_ids.join(',');
  if (p.add_time) custom.add_time = iso(p.add_time);
  if (p.postal_address?.locality) custom.city = p.postal_address.locality;
  if (p.postal_address?.value) custom.address = p.postal_address.value;
  customScalars(p.custom_fields, custom);
  return {
    source: 'pipedrive',
    externalId: String(p.id),
    kind: 'person',
    firstName: p.first_name ?? fallback.first,
    lastName: p.last_name ?? fallback.last,
    company: o.orgName ?? null,
    email: primaryFirst(p.emails)[0] ?? null,
    phones: primaryFirst(p.phones),
    country: countryToIso2(p.postal_address?.country),
    crmUrl: o.personUrl(p.id),
    ownerId: p.owner_id != null ? String(p.owner_id) : null,
    custom,
    updatedAt: iso(p.update_time),
  };
}

/**
 * Organizations have no built-in phone: companies keep their numbers in custom fields of type `phone`
 * (their keys come from /v1/organizationFields).
 */
export function organizationPhones(org: PipedriveOrganization, phoneFieldKeys: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const key of phoneFieldKeys) {
    const v = org.custom_fields?.[key];
    if (typeof v === 'string' && v.trim()) out.push(v);
    else if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string') out.push((v as { value: string }).value);
  }
  return out;
}

export function mapOrganization(org: PipedriveOrganization, o: { phoneFieldKeys: ReadonlySet<string>; organizationUrl: (id: number) => string }): UnifiedContact {
  const custom: Record<string, Scalar> = {};
  if (org.visible_to != null) custom.visible_to = org.visible_to;
  if (org.label_ids?.length) custom.label_ids = org.label_ids.join(',');
  if (org.add_time) custom.add_time = iso(org.add_time);
  if (org.address?.locality) custom.city = org.address.locality;
  if (org.address?.value) custom.address = org.address.value;
  customScalars(org.custom_fields, custom, new Set(o.phoneFieldKeys));
  return {
    source: 'pipedrive',
    externalId: String(org.id),
    kind: 'company',
    firstName: null,
    lastName: null,
    company: org.name ?? null,
    email: null,
    phones: organizationPhones(org, o.phoneFieldKeys),
    country: countryToIso2(org.address?.country),
    crmUrl: o.organizationUrl(org.id),
    ownerId: org.owner_id != null ? String(org.owner_id) : null,
    custom,
    updatedAt: iso(org.update_time),
  };
}
