'use client';
// The block palette, generated from GET /api/staff/blocks: grouped by category, searchable. Drag a block onto
// the canvas, or click / press Enter to add it next to the selection.
import { useMemo, useState } from 'react';
import { blockIcon, groupBlocks, type BlockInfo } from './block-catalog';
import styles from './flow-editor.module.css';

export const BLOCK_DRAG_TYPE = 'application/x-patchbay-block';

export function Palette({ blocks, onAdd, disabled }: { blocks: BlockInfo[]; onAdd: (block: BlockInfo) => void; disabled: boolean }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupBlocks(blocks, query), [blocks, query]);
  return (
    <aside className={styles.palette} aria-label="Blocks">
      <input
        className={styles.paletteSearch} type="search" placeholder="Search blocks…" value={query}
        onChange={(e) => setQuery(e.target.value)} data-testid="palette-search" aria-label="Search blocks"
      />
      {disabled && <p className={styles.muted}>View only: blocks cannot be added.</p>}
      {groups.length === 0 && <p className={styles.muted}>No block matches “{query}”.</p>}
      {groups.map((g) => (
        <section key={g.category} className={styles.paletteGroup}>
          <h3>{g.category}</h3>
          {g.blocks.map((b) => (
            <button
              type="button" key={`${b.id}@${b.version}`} className={styles.paletteItem} data-testid={`palette-item-${b.id}`}
              draggable={!disabled} disabled={disabled} title={`${b.description}\n\nDrag onto the canvas, or click to add.`}
              onDragStart={(e) => { e.dataTransfer.setData(BLOCK_DRAG_TYPE, b.id); e.dataTransfer.setData('text/plain', b.id); e.dataTransfer.effectAllowed = 'move'; }}
              onClick={() => onAdd(b)}
            >
              <span className={styles.paletteIcon} aria-hidden>{blockIcon(b.icon)}</span>
              <span className={styles.paletteText}>
                <span className={styles.paletteTitle}>{b.title}</span>
                <span className={styles.paletteId}>{b.id}</span>
              </span>
            </button>
          ))}
        </section>
      ))}
    </aside>
  );
}
