import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { compare } from '../../core/compare';

// The Condition's operators (the rules block adds `in`); a missing value is a value (engine/core/compare.ts).
const operators = ['isTrue', 'equals', 'notEquals', 'contains', 'greaterThan', 'lessThan', 'exists', 'isEmpty'] as const;

export const condition = defineBlock({
  id: 'condition',
  version: 1,
  title: 'Condition',
  description: 'Goes one way or the other: compares a value, or tests an expression for truth.',
  category: 'Logic',
  icon: 'split',
  params: z.object({
    left: z.unknown().optional().describe('Value to test (usually an expression such as =trigger.direction)'),
    operator: z.enum(operators).default('isTrue'),
    right: z.unknown().optional().describe('Value to compare with'),
  }),
  // A missing value is a value: `equals` is false, `isEmpty` true, and the run goes on.
  required: ['left'],
  idempotent: true,
  output: z.object({ result: z.boolean() }),
  ports: [
    { id: 'true', label: 'true' },
    { id: 'false', label: 'false' },
  ],
  summarize: (p) => `${String(p.left ?? '')} ${String(p.operator ?? 'isTrue')}${p.right !== undefined ? ' ' + String(p.right) : ''}`,
  async run(_ctx, params) {
    const result = compare(params.left, params.operator, params.right);
    return { output: { result }, port: result ? 'true' : 'false' };
  },
});
