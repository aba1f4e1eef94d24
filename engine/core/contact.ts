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

export function displayNameOf(c: { firstName?: string | null; lastName?: string | null; company?: string | null; kind?: string }): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return name || c.company || '';
}
