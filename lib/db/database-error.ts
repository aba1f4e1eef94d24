// PostgreSQL's error text ("invalid byte sequence for encoding \"UTF8\": 0x00", constraint and column names)
// is for the server log, never for a client: anything shown to a caller passes through clientMessage.

/** Whether `err` came from PostgreSQL (postgres.js raises PostgresError with a SQLSTATE code). */
export function isDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { severity?: unknown; code?: unknown };
  return e.name === 'PostgresError' || (typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code));
}

export const DATABASE_ERROR_MESSAGE = 'The database refused the request (the details are in the server log)';

/** `err`'s message fit for a client: a database error's own text is logged and replaced. */
export function clientMessage(err: unknown, context = 'request'): string {
  if (isDatabaseError(err)) {
    console.error(`[patchbay] database error during ${context}:`, (err as Error).message);
    return DATABASE_ERROR_MESSAGE;
  }
  return err instanceof Error ? err.message : String(err);
}
