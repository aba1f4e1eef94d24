// A person waiting on a button ("Test connection", the OAuth callback) gets an answer within a few seconds:
// the whole attempt — retries and backoff included — runs against one deadline, its requests are aborted
// when it passes, and the error says so in plain words ("HubSpot did not answer in 10 s").
import { PatchbayError } from '@/engine';
import { envValue } from '@/lib/config';

export const ANSWER_DEADLINE_MS = envValue('PATCHBAY_CONNECTION_DEADLINE_MS') ?? 10_000;

export function deadlineMessage(name: string, ms: number): string {
  return `${name} did not answer in ${Math.round(ms / 1000)} s: check the base URL, or try again later`;
}

/**
 * Runs `work` with a fetch whose requests share one deadline. Past it, in-flight requests are aborted and
 * the promise rejects with PatchbayError('timeout', "<name> did not answer in N s …").
 */
export async function withAnswerDeadline<T>(name: string, fetchImpl: typeof fetch, work: (f: typeof fetch) => Promise<T>, ms = ANSWER_DEADLINE_MS): Promise<T> {
  const ac = new AbortController();
  const bounded: typeof fetch = (input, init) => fetchImpl(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, ac.signal]) : ac.signal });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new PatchbayError('timeout', deadlineMessage(name, ms), { details: { deadlineMs: ms } }));
    }, ms);
  });
  try {
    return await Promise.race([work(bounded), expired]);
  } finally {
    clearTimeout(timer);
  }
}
