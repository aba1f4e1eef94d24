// Query-string fields shared by the staff API's route declarations (lib/api/staff/; the edge parses their bodies,
// queries and path ids with the routes' zod schemas). readBody / readQuery / requireUuid are transitional, for
// Next.js handlers under app/api/staff not declared yet (lib/auth/with-staff.ts).
import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { invalidInputFromZod } from '@/lib/api/error-reply';
import { isoInstantDate } from '@/engine';
import { assertStorableText, parseJsonBody } from '@/lib/api/input-guard';
import { ApiError, NotFound } from '@/lib/errors';
import { URL_ID } from '../tenancy/customers';

const MAX_BODY = 5 * 1024 * 1024;

const invalid = (err: z.ZodError, what: string) => invalidInputFromZod(err, [], what);

export async function readBody<S extends z.ZodType>(req: NextRequest, schema: S): Promise<z.infer<S>> {
  const length = Number(req.headers.get('content-length') ?? 0);
  if (length > MAX_BODY) throw new ApiError(413, 'body_too_large', `The body is larger than ${MAX_BODY} bytes`);
  const text = await req.text();
  if (text.length > MAX_BODY) throw new ApiError(413, 'body_too_large', `The body is larger than ${MAX_BODY} bytes`);
  let data: unknown = {};
  if (text.trim()) data = parseJsonBody(text);
  const r = schema.safeParse(data);
  if (!r.success) throw invalid(r.error, 'body');
  return r.data;
}

export function readQuery<S extends z.ZodType>(req: NextRequest, schema: S): z.infer<S> {
  const query = Object.fromEntries(req.nextUrl.searchParams);
  for (const [k, v] of Object.entries(query)) assertStorableText(v, [k]);
  const r = schema.safeParse(query);
  if (!r.success) throw invalid(r.error, 'query');
  return r.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a uuid names nothing: 404, like another vendor's object. */
export function requireUuid(id: string | undefined, what: 'flow' | 'run' | 'template' | 'rollout'): string {
  if (!id || !UUID.test(id)) throw new NotFound(`${what}_not_found`, `No ${what} "${id ?? ''}"`);
  return id;
}

/** Query-string fields shared by the staff API's list endpoints. An empty value means "not set". */
export const blankIsUnset = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
export const customerParam = z.string().regex(URL_ID, "a customer's own id (letters, digits and . _ ~ -)");
/** ISO 8601 only, a real date, years 1900–9999 (engine/core/iso-instant.ts). */
export const instantParam = isoInstantDate;
