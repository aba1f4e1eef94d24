// Patchbay's log: plain lines by default; with PATCHBAY_LOG_FORMAT=json one JSON object per line (pino), each
// line about a run carrying its runId, automation and customerId. In JSON mode console.* is routed through the
// same logger, so every line the process prints is JSON (what a log shipper expects).
import { format } from 'node:util';
import pino, { type Logger } from 'pino';

export interface RunFields { runId: string; automation: string; customerId: string | null }

let json: Logger | null = null;
const plainConsole = { log: console.log, info: console.info, warn: console.warn, error: console.error };

/** Back to plain lines (tests). */
export function usePlainLogs(): void {
  json = null;
  Object.assign(console, plainConsole);
}

/** Switches to JSON lines (boot calls it once when PATCHBAY_LOG_FORMAT=json). */
export function useJsonLogs(destination?: pino.DestinationStream): Logger {
  const logger = pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, destination ?? pino.destination({ dest: 1, sync: true }));
  json = logger;
  const to = (level: 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const msg = format(...args);
    const m = /^\[patchbay\] /.exec(msg);
    logger[level](m ? msg.slice(m[0].length) : msg);
  };
  console.log = to('info');
  console.info = to('info');
  console.warn = to('warn');
  console.error = to('error');
  return logger;
}

export const jsonLogs = () => json !== null;

/** A line about one run: JSON with its fields, or `[run <id>] message` as before. */
export function runLog(level: 'info' | 'warn' | 'error', message: string, run: RunFields, data?: unknown): void {
  if (json) {
    json[level]({ runId: run.runId, automation: run.automation, customerId: run.customerId, ...(data === undefined ? {} : { data }) }, message);
    return;
  }
  if (level === 'info') return;
  console[level](`[run ${run.runId}] ${message}`, data ?? '');
}
