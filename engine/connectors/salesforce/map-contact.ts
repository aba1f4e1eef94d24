// Salesforce Contact / Account records → Patchbay's UnifiedContact. Phones are passed on as typed in
// Salesforce (the CDP normalises them); the country comes from MailingCountry / BillingCountry, which
// are free text unless the org enabled country picklists, so names are mapped to ISO-2 here.
import type { UnifiedContact } from '../../core/contact';
import { parseSalesforceDateTime } from './soql';

export type SalesforceRecord = Record<string, unknown> & { Id: string; attributes?: { type: string; url: string } };

const CONTACT_PHONE_FIELDS = ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone'];
const ACCOUNT_PHONE_FIELDS = ['Phone'];
/** Fields mapped to UnifiedContact's own properties (everything else scalar goes to `custom`). */
const MAPPED = new Set(['attributes', 'Id', 'FirstName', 'LastName', 'Name', 'Email', 'OwnerId', 'LastModifiedDate', 'MailingCountry', 'BillingCountry', 'Account', 'AccountId', ...CONTACT_PHONE_FIELDS]);

let countryIndex: Map<string, string> | null = null;
/** Withdrawn or reserved codes ICU still names (DD = East Germany, FX = Metropolitan France, UK …). */
const NOT_ISO = new Set(['AN', 'BU', 'CS', 'DD', 'DY', 'EU', 'EZ', 'FX', 'HV', 'NH', 'QO', 'RH', 'SU', 'TP', 'UK', 'UN', 'VD', 'XA', 'XB', 'YD', 'YU', 'ZR', 'ZZ']);

/** "Germany", "germany", "DE", "USA", "United Kingdom" → ISO 3166-1 alpha-2; unknown → null. */
export function countryToIso2(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (!v) return null;
  if (!countryIndex) {
    countryIndex = new Map();
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const a of A) for (const b of A) {
      const code = a + b;
      if (NOT_ISO.has(code)) continue;
      let name: string | undefined;
      try { name = names.of(code); } catch { name = undefined; }
      if (name && name !== code) { countryIndex.set(name.toLowerCase(), code); countryIndex.set(code.toLowerCase(), code); }
    }
    const aliases: Record<string, string> = {
      usa: 'US', 'u.s.': 'US', 'u.s.a.': 'US', 'united states of america': 'US', america: 'US', uk: 'GB', 'u.k.': 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
      deutschland: 'DE', germany: 'DE', frankreich: 'FR', espana: 'ES', 'españa': 'ES', italia: 'IT', 'the netherlands': 'NL', holland: 'NL', schweiz: 'CH', suisse: 'CH', 'österreich': 'AT', osterreich: 'AT',
    };
    for (const [k, code] of Object.entries(aliases)) countryIndex.set(k, code);
  }
  return countryIndex.get(v.toLowerCase()) ?? null;
}

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
