// Dataverse contact / account rows → Patchbay's UnifiedContact. Phones pass on as typed (the CDP normalises
// them); address1_country is free text, mapped to ISO-2; the company is the parent customer's name from its
// FormattedValue annotation.
import type { UnifiedContact } from '../../core/contact';
import { countryToIso2 } from '../../core/country';

export type DataverseRow = Record<string, unknown>;

export const CONTACT_PHONE_FIELDS = ['telephone1', 'mobilephone', 'telephone2', 'telephone3'];
export const ACCOUNT_PHONE_FIELDS = ['telephone1', 'telephone2', 'telephone3'];
export const CONTACT_SELECT = ['contactid', 'firstname', 'lastname', 'fullname', 'emailaddress1', ...CONTACT_PHONE_FIELDS, 'jobtitle', 'address1_city', 'address1_country', '_parentcustomerid_value', '_ownerid_value', 'modifiedon'];
export const ACCOUNT_SELECT = ['accountid', 'name', 'emailaddress1', ...ACCOUNT_PHONE_FIELDS, 'websiteurl', 'address1_city', 'address1_country', '_ownerid_value', 'modifiedon'];
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const iso = (v: unknown): string | null => {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};
const phonesOf = (r: DataverseRow, fields: string[]) => fields.map((f) => str(r[f])).filter((p): p is string => p !== null);

export function mapContact(r: DataverseRow, url: (logical: string, id: string) => string): UnifiedContact {
  const id = String(r.contactid);
  const custom: Record<string, string | null> = {};
  if (str(r.jobtitle)) custom.jobtitle = r.jobtitle as string;
  if (str(r.address1_city)) custom.address1_city = r.address1_city as string;
  if (str(r._parentcustomerid_value)) custom.parentcustomerid = r._parentcustomerid_value as string;
  return {
    source: 'dynamics',
    externalId: id,
    kind: 'person',
    firstName: str(r.firstname),
    lastName: str(r.lastname),
    company: str(r[`_parentcustomerid_value${FORMATTED}`]),
    email: str(r.emailaddress1),
    phones: phonesOf(r, CONTACT_PHONE_FIELDS),
    country: countryToIso2(r.address1_country),
    crmUrl: url('contact', id),
    ownerId: str(r._ownerid_value),
    custom,
    updatedAt: iso(r.modifiedon),
  };
}

export function mapAccount(r: DataverseRow, url: (logical: string, id: string) => string): UnifiedContact {
  const id = String(r.accountid);
  const custom: Record<string, string | null> = {};
  if (str(r.websiteurl)) custom.websiteurl = r.websiteurl as string;
  if (str(r.address1_city)) custom.address1_city = r.address1_city as string;
  return {
    source: 'dynamics',
    externalId: id,
    kind: 'company',
    firstName: null,
    lastName: null,
    company: str(r.name),
    email: str(r.emailaddress1),
    phones: phonesOf(r, ACCOUNT_PHONE_FIELDS),
    country: countryToIso2(r.address1_country),
    crmUrl: url('account', id),
    ownerId: str(r._ownerid_value),
    custom,
    updatedAt: iso(r.modifiedon),
  };
}
