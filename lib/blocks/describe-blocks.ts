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

/** The params JSON schema, with the params the editor insists on (a block's `required`) listed as required. */
export function paramsSchemaOf(b: AnyBlock): Record<string, unknown> {
  const s = schemaOf(b.params, 'input');
  if (!b.required?.length) return s;
  return { ...s, required: [...new Set([...((s.required as string[] | undefined) ?? []), ...b.required])] };
}

export function describeBlock(b: AnyBlock): BlockInfo {
  return {
    id: b.id, version: b.version, title: b.title, description: b.description, category: b.category, icon: b.icon,
    ports: b.ports.map((p) => ({ id: p.id, label: p.label })), isTrigger: !!b.isTrigger,
    ...(b.connector ? { connector: b.connector } : {}),
    ...(b.example !== undefined ? { example: b.example } : {}),
    params: paramsSchemaOf(b),
    ...(b.idempotent ? { idempotent: true } : {}),
    output: schemaOf(b.output, 'output'),
  };
}

let cached: BlockInfo[] | null = null;
export function describeBlocks(): BlockInfo[] {
  cached ??= registry.list().map(describeBlock);
  return cached;
}
