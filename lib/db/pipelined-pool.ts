// Connections for the hot path's reads (caller_lookup's CDP probe): a few single-connection postgres.js
// clients taken in turn, each pipelining the queries sent to it.
//
// Why not the shared pool: under sustained load every connection of a postgres.js pool stays busy, and
// postgres.js 3.4.x then hands each new query to a busy connection through an internal queue that only
// compacts when it runs empty. It never does under steady traffic, so the queue grows by one slot per
// query and every hand-over scans it: throughput fell by a third within a minute at 7,000 lookups/s
// (profiled: `remove` in postgres/src/queue.js from 4% to 17% of the CPU). A client with one connection
// keeps that queue at most one long, so a pipelined client stays as fast in its hundredth minute as in its
// first. Small statements on a handful of pipelined connections also keep PostgreSQL's backends few.
import os from 'node:os';
import postgres from 'postgres';
import { envValue } from '../config';

export interface PipelinedPool {
  /** The next client in turn. */
  next(): postgres.Sql;
  readonly size: number;
  end(): Promise<void>;
}

/** One pipelined connection per core (2 to 8) unless PATCHBAY_LOOKUP_CONNECTIONS says otherwise: measured on 2 cores,
 *  2 connections answered 8,900 lookups/s, 4 gave 8,500 and 8 gave 7,600 (fewer, fuller pipelines, fewer syscalls). */
export function defaultLookupConnections(): number {
  return envValue('PATCHBAY_LOOKUP_CONNECTIONS') ?? Math.max(2, Math.min(8, os.availableParallelism()));
}

export function createPipelinedPool(url: string, size = defaultLookupConnections()): PipelinedPool {
  const n = Math.max(1, Math.min(64, Math.floor(size) || 1));
  const clients = Array.from({ length: n }, () => postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 60, connect_timeout: 15 }));
  let i = 0;
  return {
    size: n,
    next: () => clients[(i = (i + 1) % n)],
    end: async () => { await Promise.all(clients.map((c) => c.end({ timeout: 5 }))); },
  };
}
