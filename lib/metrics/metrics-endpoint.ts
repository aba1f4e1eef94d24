// GET /metrics (Prometheus text format). On the main server it needs `Authorization: Bearer
// <PATCHBAY_METRICS_TOKEN>` (401 otherwise; 404 when no token is configured); PATCHBAY_METRICS_LISTEN serves it
// without a token on a private address of its own (a separate listener, so the public port never does).
import { timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import type { PatchbayMetrics } from './metrics';

const digest = (s: string) => createHash('sha256').update(s).digest();

async function serveMetrics(metrics: PatchbayMetrics, res: http.ServerResponse): Promise<void> {
  try {
    const body = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(body);
  } catch (err) {
    console.error('[patchbay] /metrics failed:', (err as Error).message);
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('metrics unavailable\n');
  }
}

function answer(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** For the main server: true when it answered (the path is /metrics). */
export function metricsRoute(metrics: PatchbayMetrics, token: string | null): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const want = token ? digest(`Bearer ${token}`) : null;
  return (req, res) => {
    const url = req.url ?? '';
    if (url !== '/metrics' && !url.startsWith('/metrics?')) return false;
    if (!want) { answer(res, 404, 'not_found', 'Metrics are off: set PATCHBAY_METRICS_TOKEN (or PATCHBAY_METRICS_LISTEN for a private listener)'); return true; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { answer(res, 405, 'method_not_allowed', 'GET /metrics', { allow: 'GET' }); return true; }
    const given = req.headers.authorization;
    if (!given || !timingSafeEqual(digest(given), want)) {
      answer(res, 401, 'unauthorized', 'GET /metrics needs Authorization: Bearer <PATCHBAY_METRICS_TOKEN>', { 'www-authenticate': 'Bearer realm="metrics"' });
      return true;
    }
    void serveMetrics(metrics, res);
    return true;
  };
}

/** The private listener (PATCHBAY_METRICS_LISTEN): /metrics without a token, nothing else. */
export async function listenForMetrics(metrics: PatchbayMetrics, at: { host: string; port: number }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) void serveMetrics(metrics, res);
    else answer(res, 404, 'not_found', 'Only GET /metrics here');
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(at.port, at.host, resolve); });
  return server;
}
