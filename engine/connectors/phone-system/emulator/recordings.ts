// Call recordings of the phone-system emulator: WAV files of any size generated on the fly (8 kHz, 16-bit mono,
// a deterministic tone per recording), streamed in 64 KiB chunks so a 200 MB recording costs no memory.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

function wavHeader(total: number): Buffer {
  const h = Buffer.alloc(44);
  const data = Math.max(0, total - 44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24); h.writeUInt32LE(16000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(data, 40);
  return h;
}

/** The bytes of recording `seed` of `size` bytes, from `offset` on, in chunks. */
function* recordingChunks(seed: number, size: number): Generator<Buffer> {
  const header = wavHeader(size).subarray(0, Math.min(44, size));
  yield header;
  // One period of the tone, repeated: every chunk is a view of the same buffer (nothing allocated per chunk).
  const period = Buffer.alloc(CHUNK);
  const freq = 200 + (seed % 600);
  for (let i = 0; i < CHUNK / 2; i++) period.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / 8000)), i * 2);
  for (let left = size - header.length; left > 0; left -= CHUNK) yield left >= CHUNK ? period : period.subarray(0, left);
}

export function recordingStream(seed: number, size: number): Readable {
  return Readable.from(recordingChunks(seed, size), { objectMode: false });
}

/** sha256 of what recordingStream serves (for tests comparing the stored copy). */
export function recordingSha256(seed: number, size: number): string {
  const h = createHash('sha256');
  for (const c of recordingChunks(seed, size)) h.update(c);
  return h.digest('hex');
}
