// HubSpot contact and company records → UnifiedContact. Phones stay as typed in HubSpot; the sync normalises.
import type { UnifiedContact } from '../../core/contact';
import type { HubspotPortal, HubspotRecord } from './client';
import { countryToIso2 } from '../../core/country';

/** Properties asked for on every contact read. */
export const CONTACT_PROPERTIES = [
  'firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'country', 'city', 'state', 'jobtitle',
  'lifecyclestage', 'hs_lead_status', 'hubspot_owner_id', 'hs_calculated_phone_number_country_code', 'createdate', 'lastmodifieddate',
];

export const COMPANY_PROPERTIES = [
  'name', 'domain', 'phone', 'country', 'city', 'state', 'industry', 'website', 'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate',
];

const MAPPED = new Set([
  'firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'name', 'country', 'hubspot_owner_id',
  'hs_calculated_phone_number_country_code', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_object_id',
]);

function str(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const t = String(v).trim();
  return t ? t : null;
}

function toIso(v: string | null | undefined): string | null {
  const s = str(v);
  if (!s) return null;
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function customOf(props: HubspotRecord['properties']): Record<string, string> {
  const custom: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (MAPPED.has(k)) continue;
    // Calculated and internal hs_* values are HubSpot's bookkeeping, not the customer's data.
    if (k.startsWith('hs_') && k !== 'hs_lead_status') continue;
    const s = str(v);
    if (s !== null) custom[k] = s;
  }
  return custom;
}

export function recordUrl(portal: HubspotPortal, objectTypeId: '0-1' | '0-2', id: string): string {
  return `https://${portal.uiDomain}/contacts/${portal.portalId}/record/${objectTypeId}/${id}`;
}

export function mapContact(rec: HubspotRecord, portal: HubspotPortal): UnifiedContact {
  const p = rec.properties ?? {};
  const phones = [str(p.phone), str(p.mobilephone)].filter((x): x is string => x !== null);
  return {
    source: 'hubspot',
    externalId: String(rec.id),
    kind: 'person',
    firstName: str(p.firstname),
    lastName: str(p.lastname),
    company: str(p.company),
    email: str(p.email),
    phones,
    country: countryToIso2(p.country) ?? countryToIso2(p.hs_calculated_phone_number_country_code),
    crmUrl: recordUrl(portal, '0-1', String(rec.id)),
    ownerId: str(p.hubspot_owner_id),
    custom: customOf(p),
    updatedAt: toIso(p.lastmodifieddate) ?? toIso(p.hs_lastmodifieddate) ?? toIso(rec.updatedAt),
  };
}

export function mapCompany(rec: HubspotRecord, portal: HubspotPortal): UnifiedContact {
  const p = rec.properties ?? {};
  const phones = [str(p.phone)].filter((x): x is string => x !== null);
  return {
    source: 'hubspot',
    externalId: String(rec.id),
    kind: 'company',
    firstName: null,
    lastName: null,
    company: str(p.name),
    email: null,
    phones,
    country: countryToIso2(p.country),
    crmUrl: recordUrl(portal, '0-2', String(rec.id)),
    ownerId: str(p.hubspot_owner_id),
    custom: customOf(p),
    updatedAt: toIso(p.hs_lastmodifieddate) ?? toIso(rec.updatedAt),
  };
}
