// Peak memory growth while an operation runs, against the level before it: the flat-memory tests of the streaming
// uploads assert it stays far below the size of what was streamed. Garbage is collected before every sample
// (V8's gc, exposed at run time), so what is measured is memory held, not garbage not yet collected — a
// stream buffered whole shows as its full size, a stream passed on chunk by chunk as about one chunk.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function collector(): () => void {
  const own = (globalThis as { gc?: () => void }).gc;
  if (own) return own;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export async function peakMemoryGrowth<T>(fn: () => Promise<T>, everyMs = 200): Promise<{ result: T; rssMb: number; heapMb: number }> {
  const gc = collector();
  gc(); gc();
  const m0 = process.memoryUsage();
  const held = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
  let rss = m0.rss;
  let heap = held(m0);
  const sample = () => {
    // Twice: freed buffers' memory is returned by a sweep after the collection that found them dead.
    gc(); gc();
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, held(m));
  };
  const timer = setInterval(sample, everyMs);
  try {
    const result = await fn();
    sample();
    return { result, rssMb: (rss - m0.rss) / 1024 / 1024, heapMb: (heap - held(m0)) / 1024 / 1024 };
  } finally { clearInterval(timer); }
}
