// Bundles the server's own TypeScript (server.ts, worker.ts and what they import from lib/ and engine/) into
// dist/*.mjs with esbuild, so production runs plain JavaScript: no on-the-fly transpiler in the process and
// none of its per-closure bookkeeping on the hot path. Packages in node_modules stay external. Takes a few
// tens of milliseconds; every start rebuilds, so the bundle is never stale.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds dist/<name>.mjs from <name>.ts; returns the absolute path of the bundle. */
export async function buildServer(name = 'server') {
  const out = await esbuild.build({
    entryPoints: [path.join(root, `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    sourcemap: 'inline',
    sourcesContent: false,
    write: false,
    logLevel: 'error',
    outfile: path.join(root, 'dist', `${name}.mjs`),
  });
  const file = path.join(root, 'dist', `${name}.mjs`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed: processes starting at the same moment (parallel tests) never read half a file.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, out.outputFiles[0].contents);
  fs.renameSync(tmp, file);
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const name of process.argv.slice(2).length ? process.argv.slice(2) : ['server', 'worker']) console.log(await buildServer(name));
}
