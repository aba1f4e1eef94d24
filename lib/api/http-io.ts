// Small helpers for the node:http edge: JSON in with limits, JSON out, errors in one shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, InvalidInput } from '../errors';
import { errorReply } from './error-reply';
import { parseJsonBody } from './input-guard';

export { ApiError };

/** Answers with `body` as JSON; returns the text sent. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): string {
  const payload = JSON.stringify(body) ?? 'null';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(payload);
  return payload;
}

/** Answers with the documented error body for whatever was thrown (see error-reply.ts). */
export function sendError(res: ServerResponse, err: unknown): void {
  const r = errorReply(err);
  sendJson(res, r.status, r.body, r.headers);
}

/** The raw request body (webhook signatures are computed over the exact bytes). */
export function readRaw(req: IncomingMessage, limitBytes = 5 * 1024 * 1024): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit, keep draining (so the 413 can still be answered) but keep nothing.
      if (size > limitBytes) {
        if (chunks.length || size - c.length <= limitBytes) reject(new ApiError(413, 'body_too_large', `The body is larger than ${limitBytes} bytes`));
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (size <= limitBytes) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)); });
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage, limitBytes = 5 * 1024 * 1024): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const text = (await readRaw(req, limitBytes)).toString('utf8');
  if (!text.trim()) throw new InvalidInput('The request body is empty; send a JSON object', [], {}, 'invalid_json');
  if (type && !type.includes('json')) throw new ApiError(415, 'unsupported_media_type', `Send the body as application/json (got ${type.slice(0, 100)})`);
  // Too deep, not JSON, or holding text PostgreSQL cannot store: 400 naming the field (input-guard.ts).
  return parseJsonBody(text);
}
