// /proc readings for benchmarks: a process's resident memory, its CPU time, and its descendants (the embedded
// PostgreSQL's postmaster and backends under Patchbay's server).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function rssOf(pid: number): number {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024; } catch { return 0; }
}

const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100);
/** CPU time (ms) of a process (utime + stime). */
export function cpuOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch { return 0; }
}

/**
 * CPU time (ms) of a process tree below `pid` (not counting `pid` itself): every live descendant's own time plus
 * what their exited children used (cutime + cstime, counted once a child is reaped), so backends that come and go
 * between two readings are not lost. Take the difference of two readings.
 */
export function treeCpuOf(pid: number): number {
  let total = 0;
  for (const d of descendantsOf(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
    } catch { /* gone */ }
  }
  return total;
}

export function descendantsOf(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); parent.set(Number(d), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1])); } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

export const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
