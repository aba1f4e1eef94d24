// The staff session outside Next.js: the edge (lib/api/edge.ts) serves /api/staff/* before Next.js, so it reads
// next-auth's session cookie itself — the same encrypted JWT next-auth issues at sign-in (next-auth/jwt `decode`,
// NEXTAUTH_SECRET), the same checks its session callback makes (a `sid`, not signed out), then the staff member
// re-read from the database (a removed user or a changed role takes effect at once).
import { decode, encode } from 'next-auth/jwt';
import type postgres from 'postgres';
import { isSessionRevoked, staffSessionId } from './session-revocations';
import { loadStaffPrincipal, type StaffPrincipal } from './staff-users';

const secureCookies = () => process.env.NEXTAUTH_URL?.startsWith('https://') ?? false;
/** next-auth's cookie name (its default: `__Secure-` prefixed when Patchbay's address is https). */
export const staffCookieName = () => (secureCookies() ? '__Secure-next-auth.session-token' : 'next-auth.session-token');

function authSecret(): string {
  const s = process.env.NEXTAUTH_SECRET;
  if (!s) throw new Error('NEXTAUTH_SECRET is not set (start Patchbay through lib/boot.ts)');
  return s;
}

/** The session token from a Cookie header, joined from next-auth's chunks (`name.0`, `name.1` …) when it split it. */
export function sessionTokenFrom(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  const name = staffCookieName();
  let whole: string | null = null;
  const chunks: [number, string][] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === name) whole = v;
    else if (k.startsWith(`${name}.`) && /^\d+$/.test(k.slice(name.length + 1))) chunks.push([Number(k.slice(name.length + 1)), v]);
  }
  if (whole) return whole;
  return chunks.length ? chunks.sort((a, b) => a[0] - b[0]).map((c) => c[1]).join('') : null;
}

/** The signed-in staff member of a request, or null (no cookie, a token that does not decrypt or has expired, signed out). */
export async function readStaffSession(sql: postgres.Sql, cookieHeader: string | undefined): Promise<StaffPrincipal | null> {
  const token = sessionTokenFrom(cookieHeader);
  if (!token || token.length > 16_384) return null;
  let payload: Record<string, unknown> | null;
  try { payload = (await decode({ token, secret: authSecret() })) as Record<string, unknown> | null; } catch { return null; }
  const sid = typeof payload?.sid === 'string' ? payload.sid : null;
  const uid = typeof payload?.uid === 'string' ? payload.uid : null;
  if (!sid || !uid) return null;
  if (await isSessionRevoked(sql, staffSessionId(sid))) return null;
  return loadStaffPrincipal(sql, uid);
}

/** A session cookie as next-auth would issue it at sign-in (tests, and tools acting for a staff member). */
export async function mintStaffSessionCookie(p: { userId: string; vendorId: string; role: StaffPrincipal['role']; email: string; name: string; sid: string }, maxAgeSec = 12 * 60 * 60): Promise<string> {
  const token = await encode({ token: { sub: p.userId, uid: p.userId, vendorId: p.vendorId, role: p.role, email: p.email, name: p.name, sid: p.sid }, secret: authSecret(), maxAge: maxAgeSec });
  return `${staffCookieName()}=${token}`;
}
