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
}

export const EditorContext = createContext<EditorContextValue>({ blocks: [], issuesByNode: new Map(), stepsByNode: new Map(), readOnly: false });

export const useEditorContext = () => useContext(EditorContext);
