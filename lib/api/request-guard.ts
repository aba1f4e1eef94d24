// What the custom server does to every request before routing it: security headers on every answer
// (pages, API, errors), a 400 for a path with a bad percent-escape (Next.js would answer 500), and the
// client's address in a header of our own for login throttling (overwriting whatever the client sent).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-io';

export const CLIENT_ADDRESS_HEADER = 'x-patchbay-client-address';

/**
 * Pages may load only Patchbay's own scripts, styles, images and fonts (Next.js inlines its bootstrap
 * scripts and the canvas sets inline styles, hence 'unsafe-inline'); no page may be framed by another site,
 * except the customer portal by its vendor's configured origins (`frameAncestors`, lib/embed/portal-framing.ts).
 */
export function contentSecurityPolicy(dev = false, frameAncestors: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

export function securityHeaders(dev = false): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(dev),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** A portal page the vendor embeds: framed by its own origins only (replaces 'none' and X-Frame-Options). */
export function allowFramingBy(res: ServerResponse, origins: readonly string[], dev = false): void {
  if (!origins.length) return;
  res.setHeader('content-security-policy', contentSecurityPolicy(dev, origins));
  res.removeHeader('x-frame-options');
}

/** Returns true when the request was answered here (bad path). */
const HEADERS = Object.entries(securityHeaders(false));
const DEV_HEADERS = Object.entries(securityHeaders(true));

export function guardRequest(req: IncomingMessage, res: ServerResponse, o: { dev?: boolean; trustProxy?: boolean } = {}): boolean {
  const raw = req.url ?? '/';
  if (raw.startsWith('/api/v1/')) {
    // The machine-to-machine API (the caller_lookup hot path) answers JSON only: nosniff is all it needs, and its
    // answers carry it (http-io.ts sendJson, the edge) — not set here: a header set before writeHead sends node
    // down writeHead's slower merge path on every request. It decodes its own path segments (400 invalid_path).
    return false;
  }
  for (const [k, v] of o.dev ? DEV_HEADERS : HEADERS) res.setHeader(k, v);
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req, !!o.trustProxy);
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  if (pathname.includes('%') && !decodes(pathname)) {
    sendJson(res, 400, { error: { code: 'invalid_path', message: 'The path is not valid percent-encoding', path: ['url'] } });
    return true;
  }
  return false;
}

function decodes(s: string): boolean {
  try { decodeURIComponent(s); return true; } catch { return false; }
}

/** The peer's address; behind a trusted proxy (PATCHBAY_TRUST_PROXY=1), the last hop X-Forwarded-For names. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
  if (!trustProxy) return peer;
  const fwd = req.headers['x-forwarded-for'];
  const list = (Array.isArray(fwd) ? fwd.join(',') : fwd ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list[list.length - 1].slice(0, 100) : peer;
}
