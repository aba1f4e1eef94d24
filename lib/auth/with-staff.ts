// Every staff route handler goes through `withStaff`: it resolves the session to a staff member of one
// vendor (401 without), refuses writes to viewers (403), and turns thrown errors into the API's error shape.
import { getServerSession } from 'next-auth';
import type { NextRequest } from 'next/server';
import type postgres from 'postgres';
import { PatchbayError } from '@/engine';
import { ApiError } from '@/lib/api/http-io';
import { getSql } from '@/lib/db/client';
import { FlowValidationError } from '@/lib/flows/flows';
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
  if (err instanceof ApiError) return json({ error: { code: err.code, message: err.message, ...err.extra } }, err.status);
  if (err instanceof FlowValidationError) {
    return json({ error: { code: 'invalid_flow', message: err.message, path: err.issues[0]?.path ?? [], issues: err.issues } }, 400);
  }
  if (err instanceof PatchbayError && err.code === 'invalid_flow') {
    return json({ error: { code: 'invalid_flow', message: err.message, path: err.path ?? [], issues: Array.isArray(err.details) ? err.details : [] } }, 400);
  }
  console.error('[patchbay] staff API error:', err);
  return json({ error: { code: 'internal', message: 'Something went wrong on the server; its log has the details.' } }, 500);
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

export function withStaff<P = Record<string, never>>(
  handler: (r: StaffRequest<P>) => Promise<Response>,
  opts: { role?: 'editor' } = {},
): (req: NextRequest, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, ctx) => {
    try {
      const session = await getServerSession(authOptions);
      const sql = getSql();
      const staff = session?.user?.id ? await loadStaffPrincipal(sql, session.user.id) : null;
      if (!staff) throw new ApiError(401, 'unauthenticated', 'Sign in first: this API needs a staff session.');
      const writes = opts.role === 'editor';
      if (writes && crossSite(req)) throw new ApiError(403, 'cross_site', 'Writes are only accepted from Patchbay’s own pages.');
      if (writes && !canWrite(staff.role)) throw new ApiError(403, 'forbidden', VIEWER_REASON);
      const params = ((await ctx?.params) ?? {}) as P;
      return await handler({ req, params, staff, vendorId: staff.vendorId, sql });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
