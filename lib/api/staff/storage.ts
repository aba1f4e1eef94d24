// Staff API: the run history's storage — the data folder's free disk, the runs stored and their budget, and the
// warnings the staff app shows (lib/runs/storage-budget.ts).
import { z } from 'zod';
import { readConfig } from '../../config';
import { storageStatus } from '../../runs/storage-budget';
import { defineRoute } from '../route';

export const storageStatusRoute = defineRoute({
  operationId: 'staffStorageStatus', method: 'GET', path: '/api/staff/storage', tag: 'Staff: runs',
  summary: 'Disk free in the data folder, run history size and budget, and the storage warnings',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'Storage figures and warnings', schema: z.object({
    disk: z.object({ freeBytes: z.number(), totalBytes: z.number(), freePercent: z.number() }).nullable(),
    runs: z.object({ fileBytes: z.number(), rows: z.number(), bytesPerRun: z.number(), liveBytes: z.number(), budgetBytes: z.number() }),
    warnings: z.array(z.object({ kind: z.enum(['disk_low', 'budget_near']), message: z.string() })),
  }) } },
  async handler({ deps }) {
    const cfg = readConfig();
    return { status: 200, body: await storageStatus(deps.sql, { dataDir: cfg.dataDir, maxBytes: cfg.runMaxMb * 1048576, diskWarnPercent: cfg.diskWarnPercent }) };
  },
});
