// Transitional: the staff API is declared with defineRoute in lib/api/staff/ and served by the edge (lib/api/edge.ts),
// which lists it in the OpenAPI document and the contract test. A Next.js route handler under app/api/staff that is
// not declared yet still works through this wrapper (the edge passes /api/staff paths it has no route for to
// Next.js), with the same session checks and error body — but it is undocumented, and tests/api/contract.test.ts
// fails until it is declared in lib/api/staff/ instead. Do not add new handlers here.
import { getServerSession } from 'next-auth';
import type { NextRequest } from 'next/server';
import type postgres from 'postgres';
import { errorReply } from '@/lib/api/error-reply';
import type { RouteAuth } from '@/lib/api/route';
import { getSql } from '@/lib/db/client';
import { Forbidden, Unauthorized } from '@/lib/errors';
import { authOptions } from './auth-options';
import { canWrite, VIEWER_REASON } from './roles';
import { loadStaffPrincipal, type StaffPrincipal } from './staff-users';

export interface StaffRequest<P> {
  req: NextRequest;
  params: P;
  staff: StaffPrincipal;
  /** Every query a handler makes is scoped to this vendor. */
  vendorId: string;
  sql: postgres.Sql;
}

type RouteContext<P> = { params: Promise<P> };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

export function errorResponse(err: unknown): Response {
  const r = errorReply(err, (m, e) => console.error('[patchbay] staff API error:', e));
  return json(r.body, r.status, r.headers);
}

/** A write whose Origin is another site is refused: session cookies must not act for a foreign page. */
function crossSite(req: NextRequest): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  try {
    const host = new URL(origin).host;
    const ours = [req.headers.get('x-forwarded-host'), req.headers.get('host'), process.env.NEXTAUTH_URL && new URL(process.env.NEXTAUTH_URL).host];
    return !ours.includes(host);
  } catch {
    return true;
  }
}

/** The route's auth kind, readable by tests: every staff handler must carry it (it went through withStaff). */
export type StaffHandler<P> = ((req: NextRequest, ctx: RouteContext<P>) => Promise<Response>) & { auth: Extract<RouteAuth, { kind: 'staffSession' }> };

export function withStaff<P = Record<string, never>>(
  handler: (r: StaffRequest<P>) => Promise<Response>,
  opts: { role?: 'editor' } = {},
): StaffHandler<P> {
  const wrapped = async (req: NextRequest, ctx: RouteContext<P>) => {
    try {
      const session = await getServerSession(authOptions);
      const sql = getSql();
      const staff = session?.user?.id ? await loadStaffPrincipal(sql, session.user.id) : null;
      if (!staff) throw new Unauthorized('Sign in first: this API needs a staff session.', 'unauthenticated');
      const writes = opts.role === 'editor';
      if (writes && crossSite(req)) throw new Forbidden('Writes are only accepted from Patchbay’s own pages.', 'cross_site');
      if (writes && !canWrite(staff.role)) throw new Forbidden(VIEWER_REASON);
      const params = ((await ctx?.params) ?? {}) as P;
      return await handler({ req, params, staff, vendorId: staff.vendorId, sql });
    } catch (err) {
      return errorResponse(err);
    }
  };
  return Object.assign(wrapped, { auth: { kind: 'staffSession' as const, role: opts.role ?? ('viewer' as const) } });
}
