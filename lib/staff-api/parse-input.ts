// The staff routes' input edge: JSON bodies, query strings and path ids checked with zod, failing as 400s
// that name the field (or 404 for an id that cannot exist).
import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { invalidInputFromZod } from '@/lib/api/error-reply';
import { ApiError, InvalidInput, NotFound } from '@/lib/errors';
import { URL_ID } from '../tenancy/customers';

const MAX_BODY = 5 * 1024 * 1024;

const invalid = (err: z.ZodError, what: string) => invalidInputFromZod(err, [], what);

export async function readBody<S extends z.ZodType>(req: NextRequest, schema: S): Promise<z.infer<S>> {
  const length = Number(req.headers.get('content-length') ?? 0);
  if (length > MAX_BODY) throw new ApiError(413, 'body_too_large', `The body is larger than ${MAX_BODY} bytes`);
  const text = await req.text();
  if (text.length > MAX_BODY) throw new ApiError(413, 'body_too_large', `The body is larger than ${MAX_BODY} bytes`);
  let data: unknown = {};
  if (text.trim()) {
    try { data = JSON.parse(text); } catch (err) {
      throw new InvalidInput(`The request body is not valid JSON: ${(err as Error).message}`, [], {}, 'invalid_json');
    }
  }
  const r = schema.safeParse(data);
  if (!r.success) throw invalid(r.error, 'body');
  return r.data;
}

export function readQuery<S extends z.ZodType>(req: NextRequest, schema: S): z.infer<S> {
  const r = schema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!r.success) throw invalid(r.error, 'query');
  return r.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a uuid names nothing: 404, like another vendor's object. */
export function requireUuid(id: string | undefined, what: 'flow' | 'run'): string {
  if (!id || !UUID.test(id)) throw new NotFound(`${what}_not_found`, `No ${what} "${id ?? ''}"`);
  return id;
}

/** Query-string fields shared by the staff API's list endpoints. An empty value means "not set". */
export const blankIsUnset = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
export const customerParam = z.string().regex(URL_ID, "a customer's own id (letters, digits and . _ ~ -)");
export const instantParam = z.coerce.date({ error: 'a date-time such as 2026-11-25T10:00:00Z' });
