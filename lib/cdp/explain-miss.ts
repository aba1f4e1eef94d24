// "Why no match": when a caller lookup finds nobody, the run records why, in words and data — how the number was
// read (country assumed or given, type, E.164), the customer's stored numbers closest to it (the same national
// number under another country code, one digit off, a stored number that was missing its country code) and the
// customer's contacts whose numbers were rejected when they were stored (sync or API) and look like it.
// Computed after the answer was sent (EngineHost.execute), only for runs whose cdp.lookup went `notFound`, and at
// most EXPLAIN_PER_SEC times a second per process with its close-number search (a few tens of milliseconds of
// database time each on a 20,000-contact customer): a phone system flooded by unknown callers costs the database no
// more than that; past it the run records how the number was read, and the search runs when the run is first read.
import type postgres from 'postgres';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { displayNameOf, normalizePhone, type StepRecord } from '@/engine';
import { phoneKey } from './pg-cdp';

export interface ParsedNumber {
  /** The number as the caller's system sent it. */
  raw: string;
  /** The country the number was read in: from its own country code, else the one assumed. */
  country: string | null;
  /** The country assumed for a number written without a country code (the customer's default, or the flow's); null when it carried one. */
  countryAssumed: string | null;
  countryCallingCode: string | null;
  /** libphonenumber's type: MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, TOLL_FREE, … (null when it cannot tell). */
  type: string | null;
  valid: boolean;
  e164: string | null;
  nationalNumber: string | null;
  reason?: string;
}

export interface NearNumber {
  e164: string;
  /** other_country: the same national number under another country code; one_digit: one digit changed, swapped, missing or extra. */
  kind: 'other_country' | 'one_digit';
  detail: string;
  /** The stored number lacked a country code: it was read in the contact's (or the customer's default) country. */
  missingCountryCode?: { storedAs: string; readIn: string | null };
  contact: { source: string; externalId: string; displayName: string };
}

export interface RejectedNumber {
  source: string | null;
  externalId: string;
  displayName: string | null;
  phone: string;
  reason: string;
  /** Where it was seen: the stored contact (its raw numbers) or a sync run's problems. */
  seenIn: 'cdp' | 'sync';
}

export interface MissExplanation {
  summary: string;
  number: ParsedNumber;
  searched: string | null;
  near: NearNumber[];
  rejected: RejectedNumber[];
  /** When the stored numbers were searched (at the miss, or when the run was first read after a skipped search). */
  searchedAt?: string;
  /** Set when the close-number search was skipped (rate budget): it runs when the run is first read. */
  skipped?: string;
}

// ---- reading the number ---------------------------------------------------------------------------------------

export function parseForExplanation(raw: string, assumedCountry: string | null): ParsedNumber {
  const input = String(raw ?? '').trim();
  const hasCode = input.startsWith('+') || input.startsWith('00');
  const country = assumedCountry && /^[A-Za-z]{2}$/.test(assumedCountry) ? assumedCountry.toUpperCase() : null;
  if (!input) return { raw: input, country: null, countryAssumed: hasCode ? null : country, countryCallingCode: null, type: null, valid: false, e164: null, nationalNumber: null, reason: 'empty' };
  // One parse (as normalizePhone reads it): this runs on every miss.
  const cleaned = input.startsWith('00') ? '+' + input.slice(2) : input;
  const p = parsePhoneNumberFromString(cleaned, country ? { defaultCountry: country as CountryCode } : undefined);
  const valid = !!p && p.isValid();
  return {
    raw: input,
    country: p?.country ?? (hasCode ? null : country),
    countryAssumed: hasCode ? null : country,
    countryCallingCode: p?.countryCallingCode ?? null,
    type: valid ? p!.getType() ?? null : null,
    valid,
    e164: valid ? p!.number : null,
    nationalNumber: p?.nationalNumber ?? null,
    ...(valid ? {} : { reason: !p ? (country ? 'unparseable' : 'no country code and no default country') : 'not a valid number' }),
  };
}

// ---- candidate numbers ----------------------------------------------------------------------------------------

let callingCodes: string[] | null = null;
function allCallingCodes(): string[] {
  return (callingCodes ??= [...new Set(getCountries().map((c) => getCountryCallingCode(c)))]);
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

/** Every number one edit away from `digits` (a digit changed, two neighbours swapped, one missing, one extra), with what differs. */
export function oneDigitVariants(digits: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (d: string, why: string) => { if (d !== digits && d.length >= 6 && !out.has(d)) out.set(d, why); };
  for (let i = 0; i < digits.length; i++) {
    for (let x = 0; x <= 9; x++) {
      const c = String(x);
      if (c !== digits[i]) add(digits.slice(0, i) + c + digits.slice(i + 1), `digit ${i + 1} is ${c} instead of ${digits[i]}`);
    }
    if (i + 1 < digits.length && digits[i] !== digits[i + 1]) add(digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2), `digits ${i + 1} and ${i + 2} are swapped`);
    add(digits.slice(0, i) + digits.slice(i + 1), `digit ${i + 1} (${digits[i]}) is missing`);
  }
  for (let i = 0; i <= digits.length; i++) for (let x = 0; x <= 9; x++) add(digits.slice(0, i) + x + digits.slice(i), `an extra ${x} at position ${i + 1}`);
  return out;
}

/** E.164 numbers near the one searched for, each with the reason it is near. */
export function nearCandidates(parsed: ParsedNumber): Map<string, { kind: NearNumber['kind']; detail: string }> {
  const out = new Map<string, { kind: NearNumber['kind']; detail: string }>();
  const national = parsed.nationalNumber ?? digitsOf(parsed.raw).replace(/^0+/, '');
  if (national.length >= 4) {
    for (const cc of allCallingCodes()) {
      const e = `+${cc}${national}`;
      if (e !== parsed.e164 && e.length <= 16) out.set(e, { kind: 'other_country', detail: `the same national number ${national} under +${cc} instead of ${parsed.countryCallingCode ? `+${parsed.countryCallingCode}` : 'the number searched'}` });
    }
  }
  // The caller's digits as an international number (a country code typed without "+").
  const rawDigits = digitsOf(parsed.raw);
  if (rawDigits.length >= 8 && !parsed.raw.trim().startsWith('+')) {
    const e = `+${rawDigits.replace(/^00/, '')}`;
    if (e !== parsed.e164 && !out.has(e)) out.set(e, { kind: 'other_country', detail: `the digits as an international number (${e})` });
  }
  const base = parsed.e164 ?? (rawDigits.length >= 6 ? `+${rawDigits}` : null);
  if (base) {
    for (const [d, why] of oneDigitVariants(base.slice(1))) {
      const e = `+${d}`;
      if (!out.has(e)) out.set(e, { kind: 'one_digit', detail: why });
    }
  }
  return out;
}

// ---- the explanation ------------------------------------------------------------------------------------------

interface ContactRow {
  source: string; external_id: string; first_name: string | null; last_name: string | null; company: string | null;
  phones: string[]; raw_phones: string[]; country: string | null;
}

const nameOf = (r: Pick<ContactRow, 'first_name' | 'last_name' | 'company'>) => displayNameOf({ firstName: r.first_name, lastName: r.last_name, company: r.company });

/**
 * The lookup that missed in a run's steps: what was searched and the number as received. A caller_lookup whose
 * number did not even parse (phone.normalize went `invalid`, nothing was searched) is a miss too.
 */
export function missOf(steps: readonly StepRecord[], defaultCountry: string, automation?: string): { raw: string; country: string | null; searched: string | null } | null {
  if (steps.some((s) => s.blockId === 'cdp.lookup' && s.port === 'found')) return null;
  const miss = steps.find((s) => s.blockId === 'cdp.lookup' && s.port === 'notFound' && s.status === 'succeeded')
    ?? (automation === 'caller_lookup' ? steps.find((s) => s.blockId === 'phone.normalize' && s.port === 'invalid') : undefined);
  if (!miss) return null;
  const searched = miss.blockId === 'cdp.lookup' ? (miss.input as { phone?: unknown } | null)?.phone : null;
  const norm = steps.find((s) => s.blockId === 'phone.normalize' && s.seq <= miss.seq);
  const ni = (norm?.input ?? null) as { phone?: unknown; country?: unknown } | null;
  const raw = typeof ni?.phone === 'string' ? ni.phone : typeof searched === 'string' ? searched : '';
  const country = typeof ni?.country === 'string' ? ni.country : defaultCountry;
  return { raw, country, searched: typeof searched === 'string' && searched ? searched : null };
}

export async function explainMiss(
  sql: postgres.Sql,
  customer: { id: string; defaultCountry: string },
  miss: { raw: string; country: string | null; searched: string | null },
  o: { search?: boolean } = {},
): Promise<MissExplanation> {
  const number = parseForExplanation(miss.raw, miss.country);
  const explanation: MissExplanation = { summary: '', number, searched: miss.searched, near: [], rejected: [] };
  if (o.search === false) {
    explanation.skipped = 'Many lookups missed at once: the search for close numbers runs when this run is read';
  } else if (number.raw) {
    explanation.searchedAt = new Date().toISOString();
    const candidates = nearCandidates(number);
    const keys = [...candidates.keys()].map((e) => phoneKey(customer.id, e));
    // Rejected numbers that look like the caller's: the same last 7 digits, or one digit off (leading zeros aside).
    const callerDigits = [number.nationalNumber, digitsOf(number.raw).replace(/^0+/, ''), number.e164?.slice(1)].filter((d): d is string => !!d && d.length >= 4);
    const alike = new Set<string>(callerDigits);
    for (const d of callerDigits) for (const v of oneDigitVariants(d).keys()) alike.add(v.replace(/^0+/, ''));
    const suffixes = [...new Set(callerDigits.filter((d) => d.length >= 7).map((d) => d.slice(-7)))];
    const [near, rejectedRows, syncProblems] = await Promise.all([
      // One index probe per candidate (an overlap test with ~450 keys makes the planner scan the table).
      keys.length ? sql<ContactRow[]>`
        select c.source, c.external_id, c.first_name, c.last_name, c.company, c.phones, c.raw_phones, c.country
        from unnest(${keys}::text[]) as k(key)
        cross join lateral (select * from cdp_contacts where phone_keys @> array[k.key] and deleted_at is null limit 3) c
        limit 20` : Promise.resolve([] as ContactRow[]),
      // The customer's contacts holding a rejected number (a partial index), filtered to the numbers alike in SQL.
      callerDigits.length ? sql<(Omit<ContactRow, 'phones' | 'raw_phones'> & { raw: string })[]>`
        select c.source, c.external_id, c.first_name, c.last_name, c.company, c.country, x.raw
        from cdp_contacts c cross join lateral unnest(c.raw_phones) as x(raw)
        where c.customer_id = ${customer.id} and cardinality(c.raw_phones) > cardinality(c.phones) and c.deleted_at is null
          and (right(regexp_replace(x.raw, '[^0-9]', '', 'g'), 7) = any(${suffixes}::text[])
               or ltrim(regexp_replace(x.raw, '[^0-9]', '', 'g'), '0') = any(${[...alike]}::text[]))
        limit 50` : Promise.resolve([]),
      sql<{ problems: { externalId?: string; phone?: string; reason?: string }[]; sync_key: string }[]>`
        select problems, sync_key from sync_runs where customer_id = ${customer.id} and jsonb_array_length(problems) > 0
        order by started_at desc limit 5`,
    ]);
    for (const r of near) {
      for (const e of r.phones) {
        const c = candidates.get(e);
        if (!c) continue;
        const item: NearNumber = { e164: e, kind: c.kind, detail: c.detail, contact: { source: r.source, externalId: r.external_id, displayName: nameOf(r) } };
        // Which of its raw numbers became this one, and was it written without a country code?
        const storedAs = r.raw_phones.find((x) => normalizePhone(x, r.country?.trim() || customer.defaultCountry).e164 === e);
        if (c.kind === 'other_country' && storedAs && !/^\s*(\+|00)/.test(storedAs)) item.missingCountryCode = { storedAs, readIn: r.country?.trim() || customer.defaultCountry };
        explanation.near.push(item);
      }
    }
    explanation.near.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'other_country' ? -1 : 1));
    const resembles = (phone: string) => {
      const d = digitsOf(phone).replace(/^0+/, '');
      return d.length >= 4 && (alike.has(d) || suffixes.includes(d.slice(-7)));
    };
    const seen = new Set<string>();
    for (const r of rejectedRows) {
      const n = normalizePhone(r.raw, r.country?.trim() || customer.defaultCountry);
      if (n.e164) continue;
      seen.add(`${r.source}|${r.external_id}|${r.raw}`);
      explanation.rejected.push({ source: r.source, externalId: r.external_id, displayName: nameOf(r), phone: r.raw, reason: n.reason ?? 'not a valid number', seenIn: 'cdp' });
    }
    for (const run of syncProblems) {
      for (const p of Array.isArray(run.problems) ? run.problems : []) {
        if (!p?.phone || !p.externalId || !resembles(p.phone)) continue;
        const k = `${run.sync_key}|${p.externalId}|${p.phone}`;
        if (seen.has(k) || [...seen].some((s) => s.endsWith(`|${p.externalId}|${p.phone}`))) continue;
        seen.add(k);
        explanation.rejected.push({ source: run.sync_key, externalId: p.externalId, displayName: null, phone: p.phone, reason: p.reason ?? 'rejected', seenIn: 'sync' });
      }
    }
    explanation.rejected = explanation.rejected.slice(0, 10);
    explanation.near = explanation.near.slice(0, 10);
  }
  explanation.summary = summarize(explanation);
  return explanation;
}

function summarize(x: MissExplanation): string {
  const n = x.number;
  const parts: string[] = [];
  if (!n.raw) parts.push('No number was given to look up.');
  else {
    const readAs = n.countryAssumed
      ? `written without a country code, so it was read as a ${n.countryAssumed} number (the country assumed)`
      : `it carried its country code${n.country ? ` (${n.country})` : ''}`;
    if (!n.valid) parts.push(`"${n.raw}" is not a valid phone number (${n.reason ?? 'invalid'}): ${readAs}; nothing was searched.`);
    else parts.push(`"${n.raw}" was read as ${n.e164}${n.type ? ` (${n.type.toLowerCase().replace(/_/g, ' ')})` : ''}: ${readAs}. No contact of this customer has that number.`);
  }
  for (const m of x.near.slice(0, 3)) {
    parts.push(`${m.contact.displayName} (${m.contact.source} ${m.contact.externalId}) has ${m.e164}: ${m.detail}${m.missingCountryCode ? `; it was stored as "${m.missingCountryCode.storedAs}" without a country code and read as a ${m.missingCountryCode.readIn} number` : ''}.`);
  }
  for (const r of x.rejected.slice(0, 3)) {
    parts.push(`${r.displayName ?? r.externalId} (${r.source ?? 'sync'} ${r.externalId}) has "${r.phone}", which was rejected when stored: ${r.reason}.`);
  }
  if (!x.near.length && !x.rejected.length && !x.skipped && n.raw) parts.push('No stored number is close to it (other country codes, one digit off) and no rejected number resembles it.');
  if (x.skipped) parts.push(x.skipped + '.');
  return parts.join(' ');
}

/**
 * A stored explanation whose search was skipped (rate budget) gets it when the run is read (run page, API), and
 * keeps it: the close numbers are then those stored at that moment (`searchedAt` says when).
 */
export async function completeOnRead(sql: postgres.Sql, run: { id: string; customerId: string | null; automation: string; steps: readonly StepRecord[]; explanation?: unknown }): Promise<unknown> {
  const x = run.explanation as MissExplanation | undefined;
  if (!x?.skipped || !run.customerId) return run.explanation;
  const [c] = await sql<{ default_country: string }[]>`select default_country from customers where id = ${run.customerId}`;
  const miss = c ? missOf(run.steps, c.default_country.trim(), run.automation) : null;
  if (!miss) return run.explanation;
  const full = await explainMiss(sql, { id: run.customerId, defaultCountry: c.default_country.trim() }, miss);
  await sql`update runs set explanation = ${JSON.stringify(full)}::json where id = ${run.id}`;
  return full;
}

/** Searches allowed per second per process (a token bucket; bursts of up to BURST). */
export const EXPLAIN_PER_SEC = 0.2;
const BURST = 2;
let tokens = BURST;
let refilledAt = Date.now();
/** Takes one close-number search from the budget; false when it is spent. */
export function takeExplainBudget(now = Date.now()): boolean {
  tokens = Math.min(BURST, tokens + ((now - refilledAt) / 1000) * EXPLAIN_PER_SEC);
  refilledAt = now;
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}
