import { z } from 'zod';
import { defineBlock } from '../../core/define-block';

const operators = ['isTrue', 'equals', 'notEquals', 'contains', 'greaterThan', 'lessThan', 'exists', 'isEmpty'] as const;

function compare(left: unknown, op: (typeof operators)[number], right: unknown): boolean {
  switch (op) {
    case 'isTrue': return Boolean(left) && !(Array.isArray(left) && left.length === 0);
    case 'equals': return left === right || (left != null && right != null && String(left) === String(right));
    case 'notEquals': return !compare(left, 'equals', right);
    case 'contains': return Array.isArray(left) ? left.some((v) => compare(v, 'equals', right)) : String(left ?? '').toLowerCase().includes(String(right ?? '').toLowerCase());
    case 'greaterThan': return Number(left) > Number(right);
    case 'lessThan': return Number(left) < Number(right);
    case 'exists': return left !== undefined && left !== null;
    case 'isEmpty': return left === undefined || left === null || left === '' || (Array.isArray(left) && left.length === 0) || (typeof left === 'object' && Object.keys(left as object).length === 0);
  }
}

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
