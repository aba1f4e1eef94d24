// Slows password guessing: after too many failed sign-ins for one email, further tries are refused for a while.
// In-process on purpose (one web process per install is the common case; several processes each keep their own).
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;
const failures = new Map<string, { count: number; since: number }>();

export function isLoginBlocked(email: string, now = Date.now()): boolean {
  const f = failures.get(email.trim().toLowerCase());
  return !!f && now - f.since < WINDOW_MS && f.count >= MAX_FAILURES;
}

export function noteLoginResult(email: string, ok: boolean, now = Date.now()): void {
  const k = email.trim().toLowerCase();
  if (ok) { failures.delete(k); return; }
  const f = failures.get(k);
  if (!f || now - f.since >= WINDOW_MS) failures.set(k, { count: 1, since: now });
  else f.count++;
  if (failures.size > 100_000) failures.clear();
}
