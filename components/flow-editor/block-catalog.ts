// The block catalogue as the editor sees it (GET /api/staff/blocks): palette grouping, search, icons.
import type { BlockInfo as WireBlockInfo } from '@/lib/staff-api/contract';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  [key: string]: unknown;
}

export type PortInfo = WireBlockInfo['ports'][number];

/** A block as GET /api/staff/blocks describes it, with its schemas typed for the form derivation. */
export type BlockInfo = Omit<WireBlockInfo, 'params' | 'output'> & { params: JsonSchema; output: JsonSchema };

/** Palette order: how a flow is usually read, left to right. */
const CATEGORY_ORDER = ['Triggers', 'Data', 'CDP', 'Logic', 'CRM', 'Phone system', 'Messaging', 'Storage', 'Utility', 'Respond'];

/** `cdp.lookup@1` → `cdp.lookup`. */
export function baseBlockId(type: string): string {
  const at = type.indexOf('@');
  return at === -1 ? type : type.slice(0, at);
}

/** The block a node's `type` names: pinned (`id@version`) when that version is listed, else the latest. */
export function findBlock(blocks: readonly BlockInfo[], type: string): BlockInfo | undefined {
  const id = baseBlockId(type);
  const version = type.includes('@') ? Number(type.slice(type.indexOf('@') + 1)) : null;
  return blocks.find((b) => b.id === id && (version === null || b.version === version)) ?? blocks.find((b) => b.id === id);
}

export interface BlockGroup { category: string; blocks: BlockInfo[] }

/** Blocks matching `query` (title, id, description, connector), grouped by category in palette order. */
export function groupBlocks(blocks: readonly BlockInfo[], query = ''): BlockGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = blocks.filter((b) => {
    const hay = `${b.title} ${b.id} ${b.description} ${b.connector ?? ''} ${b.category}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const groups = new Map<string, BlockInfo[]>();
  for (const b of matches) {
    const list = groups.get(b.category) ?? [];
    list.push(b);
    groups.set(b.category, list);
  }
  const rank = (c: string) => { const i = CATEGORY_ORDER.indexOf(c); return i === -1 ? CATEGORY_ORDER.length - 1 : i; };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, list]) => ({ category, blocks: list }));
}

// Glyphs from the fonts every desktop has (no colour-emoji font needed).
const ICONS: Record<string, string> = {
  webhook: '⚡', phone: '☎', 'phone-call': '✆', search: '⌕', split: '⋔', reply: '↩', clock: '◷', globe: '◍',
  user: '☺', 'user-plus': '☺', 'user-check': '☺', building: '▦', 'refresh-cw': '⟳', list: '☰', edit: '✎',
  'check-square': '☑', mail: '✉', message: '✉', 'message-square': '✉', database: '⛁', upload: '⤒', download: '⤓',
  file: '▤', folder: '▭', filter: '▽', code: '{}', bell: '◔', calendar: '▦', link: '∞', tag: '⌗', send: '➤',
};

/** A glyph for an icon name from the block declaration; unknown names fall back to their first letter. */
export function blockIcon(name: string): string {
  if (ICONS[name]) return ICONS[name];
  if (/\p{Extended_Pictographic}/u.test(name)) return name;
  return (name[0] ?? '•').toUpperCase();
}
