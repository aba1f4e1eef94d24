import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { createHttpClient, HttpError } from '../../core/http-client';

/** Calls any HTTP API (e.g. the phone system's own routing API) through the shared client: retries, timeouts, request log. */
export const httpRequest = defineBlock({
  id: 'http.request',
  effect: { what: 'Send an HTTP request that changes data', system: 'http', when: (p) => p.method !== 'GET' },
  version: 1,
  title: 'HTTP request',
  description: 'Calls an HTTP endpoint and returns its status and JSON body. Private addresses are refused unless the install allows them.',
  category: 'Utility',
  icon: 'globe',
  params: z.object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    url: z.string().url('a full URL such as https://api.example.com/route'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    /** Answer 4xx/5xx on the `error` port instead of failing the run. */
    continueOnError: z.boolean().default(false),
  }),
  output: z.object({ status: z.number().nullable(), body: z.unknown(), error: z.string().optional() }),
  ports: [
    { id: 'out', label: 'ok' },
    { id: 'error', label: 'error' },
  ],
  summarize: (p) => `${String(p.method ?? 'GET')} ${String(p.url ?? '')}`,
  async run(ctx, p) {
    const client = createHttpClient({
      fetch: ctx.fetch, baseUrl: p.url, systemName: new URL(p.url).host, timeoutMs: p.timeoutMs, maxRetries: 2,
      requestLog: ctx.requestLog, signal: ctx.signal, defaultHeaders: p.headers,
    });
    try {
      const res = await client.request({ method: p.method, path: p.url, body: p.body, retry: p.method === 'GET' });
      return { output: { status: res.status, body: res.body }, port: 'out' };
    } catch (err) {
      if (p.continueOnError && err instanceof HttpError) return { output: { status: err.status, body: err.body, error: err.message }, port: 'error' };
      throw err;
    }
  },
});
