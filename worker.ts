// `npm run worker`: a worker-only Patchbay process (no HTTP); see lib/worker-process.ts.
import { runWorkerProcess } from './lib/worker-process';

runWorkerProcess().catch((err) => {
  console.error('[patchbay worker] failed to start:', err instanceof Error ? err.message : err);
  if (process.env.PATCHBAY_DEBUG === '1') console.error(err);
  process.exit(1);
});
