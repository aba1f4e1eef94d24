// The block catalogue exactly as GET /api/staff/blocks serves it, built from the real engine registry for tests.
import { z } from 'zod';
import { registry } from '@/engine';
import { paramsSchemaOf } from '@/lib/blocks/describe-blocks';
import type { BlockInfo } from './block-catalog';

export function registryBlocks(): BlockInfo[] {
  return registry.list().map((b) => ({
    id: b.id, version: b.version, title: b.title, description: b.description, category: b.category, icon: b.icon,
    ports: b.ports, isTrigger: !!b.isTrigger, connector: b.connector, example: b.example,
    params: paramsSchemaOf(b) as BlockInfo['params'], idempotent: b.idempotent,
    output: z.toJSONSchema(b.output, { io: 'output', unrepresentable: 'any' }) as BlockInfo['output'],
  }));
}
