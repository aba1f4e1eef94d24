// AWS Signature Version 4 as S3 checks it: the canonical request, the string to sign and the derived signing key,
// for Authorization headers and for pre-signed URLs (query parameters). Used by the S3 emulator to verify what the
// AWS SDK signs; the connector itself signs through the SDK.
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
}

/** Query parameters of a raw query string, decoded, in their order (a key may repeat). */
export function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw.split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    const dec = (x: string) => decodeURIComponent(x.replace(/\+/g, '%20'));
    return i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
  });
}

export function canonicalQuery(params: [string, string][]): string {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export interface SignatureInput {
  method: string;
  /** The path exactly as sent (already URI-encoded; S3 does not normalise or encode it again). */
  rawPath: string;
  query: [string, string][];
  headers: Record<string, string | string[] | undefined>;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
}

export function canonicalRequest(i: SignatureInput): string {
  const headerLines = i.signedHeaders.map((h) => {
    const v = i.headers[h];
    const value = (Array.isArray(v) ? v.join(',') : v ?? '').trim().replace(/\s+/g, ' ');
    return `${h}:${value}\n`;
  }).join('');
  return [i.method, i.rawPath || '/', canonicalQuery(i.query), headerLines, i.signedHeaders.join(';'), i.payloadHash].join('\n');
}

export function stringToSign(i: SignatureInput): string {
  return [ALGORITHM, i.amzDate, i.scope, sha256(canonicalRequest(i))].join('\n');
}

export function signature(secret: string, i: SignatureInput): string {
  const [date, region, service] = i.scope.split('/');
  return createHmac('sha256', signingKey(secret, date, region, service)).update(stringToSign(i)).digest('hex');
}

/** "20260301T093000Z" → epoch ms (NaN when malformed). */
export function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}
