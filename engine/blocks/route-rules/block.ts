// Ordered routing rules: the first rule whose test holds on the caller's facts decides where the call goes
// (VIP tag → a queue, language → a queue, open invoice → billing, owner → the owning agent), else the default.
// One block with a table of rules instead of a tree of conditions; it answers the routing JSON phone systems take.
import { z } from 'zod';
import { COMPARE_OPERATORS, compare } from '../../core/compare';
import { defineBlock, OUT_PORT } from '../../core/define-block';

export const ROUTE_TARGET_TYPES = ['queue', 'user', 'extension', 'number', 'voicemail'] as const;

export const routeRuleSchema = z.object({
  label: z.string().max(120).optional().describe('What the rule is for (shown in the run)'),
  field: z.string().min(1).max(200).regex(/^[A-Za-z_$][\w$-]*(\.[\w$-]+)*$/, 'a field path such as tags or custom.language').describe("The caller's field to test: a path such as tags, language or custom.tier"),
  operator: z.enum(COMPARE_OPERATORS).default('equals'),
  value: z.string().max(500).optional().describe('Compared with the field (in: comma-separated values)'),
  targetType: z.enum(ROUTE_TARGET_TYPES).default('queue'),
  target: z.string().min(1).max(256).describe('Queue, agent, extension or number; @field takes it from the caller (e.g. @owner: the owning agent)'),
});
export type RouteRule = z.infer<typeof routeRuleSchema>;

const answerSchema = z.object({
  action: z.literal('route'),
  target: z.string(),
  targetType: z.enum(ROUTE_TARGET_TYPES),
  /** The rule that decided (its label, else its field), or null for the default. */
  rule: z.string().nullable(),
});

/** The value at a dot path of the caller's facts (undefined when any part is missing). */
function valueAt(facts: unknown, path: string): unknown {
  let v: unknown = facts;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The rule's target: literal, or `@field` read from the caller (a rule whose field-target is empty does not match). */
function targetOf(rule: RouteRule, facts: unknown): string | null {
  if (!rule.target.startsWith('@')) return rule.target;
  const v = valueAt(facts, rule.target.slice(1));
  return v === undefined || v === null || v === '' || typeof v === 'object' ? null : String(v);
}

export function decideRoute(facts: unknown, rules: RouteRule[], fallback: { target: string; targetType: (typeof ROUTE_TARGET_TYPES)[number] }): z.infer<typeof answerSchema> & { index: number | null } {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!compare(valueAt(facts, r.field), r.operator, r.value)) continue;
    const target = targetOf(r, facts);
    if (target === null) continue;
    return { action: 'route', target, targetType: r.targetType, rule: r.label || r.field, index: i };
  }
  return { action: 'route', target: fallback.target, targetType: fallback.targetType, rule: null, index: null };
}

export const routeRules = defineBlock({
  id: 'route.rules',
  version: 1,
  title: 'Routing rules',
  description: 'Ordered rules on the caller: the first that holds picks the queue, agent or number; otherwise the default. Answers {"action":"route","target","targetType"}.',
  category: 'Logic',
  icon: 'list-ordered',
  params: z.object({
    caller: z.unknown().optional().describe("The caller's facts the rules test (an object, e.g. built from the CDP and CRM lookups); missing: only the default applies"),
    rules: z.array(routeRuleSchema).max(100).default([]).meta({ table: true }).describe('Tested in order; the first that holds decides'),
    defaultTarget: z.string().min(1).max(256).describe('Where the call goes when no rule holds'),
    defaultTargetType: z.enum(ROUTE_TARGET_TYPES).default('queue'),
  }),
  required: ['defaultTarget'],
  idempotent: true,
  output: answerSchema.extend({ matched: z.boolean(), ruleIndex: z.number().int().nullable() }),
  ports: OUT_PORT,
  summarize: (p) => `${Array.isArray(p.rules) ? p.rules.length : 0} rules, else ${String(p.defaultTarget ?? '')}`,
  async run(_ctx, params) {
    const { index, ...answer } = decideRoute(params.caller, params.rules, { target: params.defaultTarget, targetType: params.defaultTargetType });
    return { output: { ...answer, matched: index !== null, ruleIndex: index } };
  },
});
