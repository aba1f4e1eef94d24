'use client';
// What every canvas node needs besides its own data: the block catalogue, validation issues and the last test run.
import { createContext, useContext } from 'react';
import type { RunStep } from '@/lib/staff-api/contract';
import type { BlockInfo } from './block-catalog';

export interface EditorContextValue {
  blocks: BlockInfo[];
  issuesByNode: Map<string, string[]>;
  stepsByNode: Map<string, RunStep>;
  readOnly: boolean;
  /** A field whose typed text does not parse (so the flow still holds its previous value) reports it here. */
  reportDraftError?: (key: string, message: string | null) => void;
}

export const EditorContext = createContext<EditorContextValue>({ blocks: [], issuesByNode: new Map(), stepsByNode: new Map(), readOnly: false });

export const useEditorContext = () => useContext(EditorContext);
