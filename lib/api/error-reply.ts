// The one mapping from a thrown error to the documented error answer {"error":{"code","message","path"?}}:
// lib's typed errors (lib/errors.ts), zod errors (400 naming the field), the engine's PatchbayError for the
// codes that mean bad input, and anything else as a logged 500. The node:http edge and the staff route
// handlers both answer through it.
import { z } from 'zod';
import { PatchbayError } from '@/engine';
import { ApiError, InvalidInput, NotFound, RateLimited, type FieldPath } from '../errors';

export interface ErrorReply { status: number; body: { error: { code: string; message: string; path?: FieldPath } & Record<string, unknown> }; headers: Record<string, string> }

/** A zod failure as a 400 naming the first field (all issues listed); `prefix` places it (e.g. ['contacts', 3]). */
export function invalidInputFromZod(err: z.ZodError, prefix: FieldPath = [], what = 'body'): InvalidInput {
  const first = err.issues[0];
  const path = [...prefix, ...(first.path as FieldPath)];
  return new InvalidInput(`${path.length ? `"${path.join('.')}"` : what}: ${first.message}`, path, {
    issues: err.issues.slice(0, 50).map((i) => ({ path: [...prefix, ...(i.path as FieldPath)], message: i.message })),
  });
}

function fromPatchbayError(err: PatchbayError): ApiError | null {
  switch (err.code) {
    case 'invalid_params': return new InvalidInput(err.message, err.path ?? []);
    case 'invalid_flow': return new InvalidInput(err.message, err.path ?? [], { issues: Array.isArray(err.details) ? err.details : [] }, 'invalid_flow');
    case 'oauth_unavailable': return new InvalidInput(err.message, err.path ?? [], {}, 'oauth_unavailable');
    case 'connector_not_found': return new NotFound('connector_not_found', err.message);
    default: return null;
  }
}

export function errorReply(err: unknown, log: (m: string, e: unknown) => void = (m, e) => console.error(m, e)): ErrorReply {
  let e: ApiError | null = null;
  if (err instanceof ApiError) e = err;
  else if (err instanceof z.ZodError) e = invalidInputFromZod(err);
  else if (err instanceof PatchbayError) e = fromPatchbayError(err);
  if (!e) {
    log('[patchbay] API error', err);
    return { status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on our side; the error was logged' } }, headers: {} };
  }
  const headers: Record<string, string> = e instanceof RateLimited ? { 'retry-after': String(Math.max(1, Math.ceil(e.retryAfterSec))) } : {};
  return { status: e.status, body: { error: { code: e.code, message: e.message, ...e.extra } }, headers };
}
