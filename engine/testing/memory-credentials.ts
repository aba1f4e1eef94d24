// The host's renewCredentials without a database: one renewal at a time (a promise chain instead of the
// PostgreSQL lock) over a stored copy of the credentials, so connectors renew tokens in unit tests as they do in
// production. `onWrite` sees each write, as saveCredentials would have.
import type { ConnectionHandle } from '../core/define-block';

export function memoryRenewCredentials(initial: Record<string, unknown>, onWrite: (next: Record<string, unknown>) => Promise<void> | void = () => {}): NonNullable<ConnectionHandle['renewCredentials']> {
  let stored = { ...initial };
  let queue: Promise<unknown> = Promise.resolve();
  return (renew) => {
    const mine = queue.then(async () => {
      const next = await renew({ ...stored });
      if (!next) return { ...stored };
      stored = { ...next };
      await onWrite({ ...next });
      return { ...stored };
    });
    queue = mine.catch(() => {});
    return mine;
  };
}
