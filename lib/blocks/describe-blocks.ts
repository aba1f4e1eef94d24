// The block palette for the editor: every registered block with JSON schemas of its zod params and output,
// computed once per process (the registry does not change while running).
import { z } from 'zod';
import { registry, type AnyBlock } from '@/engine';
import type { BlockInfo } from '@/lib/staff-api/contract';

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    return z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function describeBlock(b: AnyBlock): BlockInfo {
  return {
    id: b.id, version: b.version, title: b.title, description: b.description, category: b.category, icon: b.icon,
    ports: b.ports.map((p) => ({ id: p.id, label: p.label })), isTrigger: !!b.isTrigger,
    ...(b.connector ? { connector: b.connector } : {}),
    ...(b.example !== undefined ? { example: b.example } : {}),
    params: schemaOf(b.params, 'input'),
    output: schemaOf(b.output, 'output'),
  };
}

let cached: BlockInfo[] | null = null;
export function describeBlocks(): BlockInfo[] {
  cached ??= registry.list().map(describeBlock);
  return cached;
}
