// The errors lib throws when a request cannot be served as asked. Each carries its HTTP status, a stable
// code and a message a caller can act on; `InvalidInput` names the field. One function
// (lib/api/error-reply.ts) turns them, zod errors and the engine's PatchbayError into the documented body
// {"error":{"code","message","path"?}} — no route matches on message text.

export type FieldPath = (string | number)[];

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

/** 400: the input is wrong; `path` names the field (empty for the body as a whole). */
export class InvalidInput extends ApiError {
  constructor(message: string, readonly path: FieldPath = [], extra: Record<string, unknown> = {}, code = 'invalid_input') {
    super(400, code, message, { path, ...extra });
  }
}

/** 401: no credentials, or credentials that name nobody. */
export class Unauthorized extends ApiError {
  constructor(message: string, code = 'unauthorized', extra: Record<string, unknown> = {}) { super(401, code, message, extra); }
}

/** 403: known caller, not allowed to do this. */
export class Forbidden extends ApiError {
  constructor(message: string, code = 'forbidden', extra: Record<string, unknown> = {}) { super(403, code, message, extra); }
}

/** 404: nothing of that name for this caller (another tenant's object looks the same as a missing one). */
export class NotFound extends ApiError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) { super(404, code, message, extra); }
}

/** 409: the request contradicts the current state. */
export class Conflict extends ApiError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) { super(409, code, message, extra); }
}

/** 429: slow down; answered with Retry-After. */
export class RateLimited extends ApiError {
  constructor(message: string, readonly retryAfterSec: number, code = 'rate_limited') { super(429, code, message, { retryAfterSec }); }
}

/** 503: a service the request needs is not running right now. */
export class Unavailable extends ApiError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) { super(503, code, message, extra); }
}
