// HubSpot contact and company records → UnifiedContact. Phones stay as typed in HubSpot; the sync normalises.
import type { UnifiedContact } from '../../core/contact';
import type { HubspotPortal, HubspotRecord } from './client';

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

let countryNames: Map<string, string> | null = null;
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ']);

/** English country names (from the runtime's ICU data) and common aliases → ISO 3166-1 alpha-2. */
function countryIndex(): Map<string, string> {
  if (countryNames) return countryNames;
  const map = new Map<string, string>();
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const raw = String.fromCharCode(a, b);
      let name: string | undefined;
      let code = raw;
      try {
        name = names.of(raw);
        // Deprecated and reserved codes (DD, UK, BU…) name their successor: keep the current code.
        code = Intl.getCanonicalLocales(`und-${raw}`)[0].slice(4);
      } catch { name = undefined; }
      if (!name || name === raw || NOT_COUNTRIES.has(code) || !/^[A-Z]{2}$/.test(code)) continue;
      const lower = name.toLowerCase();
      const variants = [lower, lower.replace(/ & /g, ' and ')];
      const paren = /^(.*?)\s*\((.*)\)$/.exec(lower);
      if (paren) variants.push(paren[1], paren[2]);
      for (const v of variants) if (!map.has(v)) map.set(v, code);
    }
  }
  const aliases: Record<string, string> = {
    usa: 'US', 'u.s.': 'US', 'u.s.a.': 'US', 'united states of america': 'US', america: 'US',
    uk: 'GB', 'u.k.': 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB', britain: 'GB',
    deutschland: 'DE', allemagne: 'DE', frankreich: 'FR', españa: 'ES', espana: 'ES', italia: 'IT', österreich: 'AT', schweiz: 'CH', suisse: 'CH',
    nederland: 'NL', holland: 'NL', 'the netherlands': 'NL', belgique: 'BE', belgië: 'BE', sverige: 'SE', norge: 'NO', danmark: 'DK', polska: 'PL',
  };
  for (const [k, v] of Object.entries(aliases)) map.set(k, v);
  countryNames = map;
  return map;
}

/** HubSpot's country property is free text ("United States", "Germany", "DE"); answers ISO-2 or null. */
export function countryToIso2(value: string | null | undefined): string | null {
  const v = (value ?? '').trim();
  if (!v) return null;
  if (/^[A-Za-z]{2}$/.test(v)) {
    const code = v.toUpperCase();
    return code === 'UK' ? 'GB' : code;
  }
  return countryIndex().get(v.toLowerCase().replace(/\s+/g, ' ')) ?? null;
}

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
