// Query-string fields shared by the staff API's route declarations (lib/api/staff/); the edge parses bodies,
// queries and path ids with the routes' zod schemas.
import { z } from 'zod';
import { isoInstantDate } from '@/engine';
import { URL_ID } from '../tenancy/customers';

/** Query-string fields shared by the staff API's list endpoints. An empty value means "not set". */
export const blankIsUnset = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
export const customerParam = z.string().regex(URL_ID, "a customer's own id (letters, digits and . _ ~ -)");
/** ISO 8601 only, a real date, years 1900–9999 (engine/core/iso-instant.ts). */
export const instantParam = isoInstantDate;
