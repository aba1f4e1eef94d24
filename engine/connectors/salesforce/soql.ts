// The SOQL/SOSL text this connector sends: the API version, the fields it selects, and literal quoting.
// Everything a query embeds from the outside (emails, ids, cursors) goes through these quoting helpers.

export const API_VERSION = 'v59.0';
export const API_BASE = `/services/data/${API_VERSION}`;

/** Contact fields selected by every contact read (Account.Name gives the company). */
export const CONTACT_FIELDS = [
  'Id', 'FirstName', 'LastName', 'Name', 'Email', 'Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone',
  'Title', 'Department', 'MailingCity', 'MailingCountry', 'AccountId', 'Account.Name', 'OwnerId', 'LastModifiedDate',
];

/** Account fields selected by every company read. */
export const ACCOUNT_FIELDS = ['Id', 'Name', 'Phone', 'Website', 'Industry', 'Type', 'BillingCity', 'BillingCountry', 'OwnerId', 'LastModifiedDate'];

export const USER_FIELDS = ['Id', 'Name', 'FirstName', 'LastName', 'Email', 'IsActive'];

/** Quotes a string for a SOQL literal: backslash-escapes quotes, backslashes and control characters. */
export function soqlString(value: string): string {
  return "'" + value.replace(/[\\'"\n\r\t\f\b]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f', '\b': '\\b' } as Record<string, string>)[c] ?? '\\' + c) + "'";
}

/** SOQL dateTime literal (unquoted, UTC, second precision as Salesforce stores LastModifiedDate). */
export function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Salesforce ids are 15 (case-sensitive) or 18 (case-safe) alphanumerics. */
export function isSalesforceId(id: string): boolean {
  return /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id);
}

/** Salesforce datetimes look like 2026-01-01T00:00:00.000+0000; this gives epoch ms. */
export function parseSalesforceDateTime(value: unknown): number | null {
  if (typeof value !== 'string' || !value) return null;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : null;
}
