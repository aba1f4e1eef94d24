// Patchbay's unified contact: what every CRM's find/list block maps into, what the CDP stores and caller_lookup answers.
import { z } from 'zod';
import { isoInstantString } from './iso-instant';

export const customValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const unifiedContactSchema = z.object({
  source: z.string().min(1).max(64),
  externalId: z.string().min(1).max(256),
  kind: z.enum(['person', 'company']).default('person'),
  firstName: z.string().max(256).nullish(),
  lastName: z.string().max(256).nullish(),
  company: z.string().max(512).nullish(),
  email: z.string().max(512).nullish(),
  /** As delivered by the source; normalised to E.164 on the way in. */
  phones: z.array(z.string().max(64)).max(50).default([]),
  /** ISO 3166-1 alpha-2 country of the contact, used for numbers without a country code. */
  country: z.string().length(2).nullish(),
  crmUrl: z.string().max(2048).nullish(),
  ownerId: z.string().max(256).nullish(),
  custom: z.record(z.string(), customValueSchema).default({}),
  /** When the source last changed it: ISO 8601 (see iso-instant.ts). */
  updatedAt: isoInstantString.nullish(),
});

export type UnifiedContact = z.infer<typeof unifiedContactSchema>;
export type UnifiedContactInput = z.input<typeof unifiedContactSchema>;

/** A contact as the CDP holds it: phones in E.164. */
export interface CdpContact {
  source: string;
  externalId: string;
  kind: 'person' | 'company';
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  company: string | null;
  email: string | null;
  phones: string[];
  country: string | null;
  crmUrl: string | null;
  ownerId: string | null;
  custom: Record<string, string | number | boolean | null>;
  updatedAt: string | null;
}

/**
 * Which contact a lookup by phone answers when several contacts of one customer share the number (the demo CRM
 * and a synced HubSpot contact, a person and their company): persons before companies, then the one most recently
 * updated in its source (when the source gave no time, when Patchbay last wrote it), then by source name, then by
 * external id. Deterministic: the same data always gives the same answer. The Postgres CDP applies it in its one
 * lookup query (lib/cdp/pg-cdp.ts), the in-memory CDP with `compareCallerMatches`.
 */
export const CALLER_MATCH_RULE = 'persons before companies, then the most recently updated in its source, then source name, then external id';

/** A lookup's answer: the chosen contact and how many live contacts of the customer have that number. */
export interface CdpLookupHit extends CdpContact { matches?: number }

/** `CALLER_MATCH_RULE` as a sort comparator; `writtenAt` is when the CDP last wrote each contact (ms). */
export function compareCallerMatches(a: CdpContact & { writtenAt: number }, b: CdpContact & { writtenAt: number }): number {
  if (a.kind !== b.kind) return a.kind === 'person' ? -1 : 1;
  const ta = a.updatedAt ? Date.parse(a.updatedAt) : a.writtenAt;
  const tb = b.updatedAt ? Date.parse(b.updatedAt) : b.writtenAt;
  if (ta !== tb) return tb - ta;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;
}

export function displayNameOf(c: { firstName?: string | null; lastName?: string | null; company?: string | null; kind?: string }): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return name || c.company || '';
}
