'use client';
// The flow editor (/flows/[id]): palette, canvas, inspector,
// validation as you edit, undo/redo, copy/paste, versions (save, publish, compare) and the test-run panel.
import '@xyflow/react/dist/style.css';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow,
  type Connection, type EdgeChange, type FinalConnectionState, type IsValidConnection, type NodeChange, type OnConnectEnd,
} from '@xyflow/react';
import { ApiRequestError, queryKeys, staffApi, useStaffMutation } from '@/components/api-client';
import { useStaff, type StaffInfo } from '@/components/staff/staff-context';
import type { FlowDetail, FlowIssue, TestRunResult } from '@/lib/staff-api/contract';
import { KNOWN_AUTOMATIONS } from '@/lib/flows/new-flow';
import { findBlock, type BlockInfo } from './block-catalog';
import { nodeTypes } from './block-node';
import { CompareDialog } from './compare-dialog';
import { collectDataPaths } from './data-paths';
import { EditorContext, type EditorContextValue } from './editor-context';
import {
  canvasToFlow, checkConnection, copySelection, createNode, ERROR_PORT, flowToCanvas, freePosition, newEdgeId, nodePorts, pasteClipboard, TARGET_HANDLE,
  type BlockNode, type CanvasDoc, type Clipboard, type FlowJson, type FlowJsonInput, type FlowMeta, type NodeOnError, type NodeRetry, type PortEdge,
} from './flow-mapping';
import { FlowInspector, NodeInspector } from './inspector';
import { BLOCK_DRAG_TYPE, Palette } from './palette';
import { TestRunPanel } from './test-run-panel';
import { Toasts, useToasts } from './toasts';
import { useEditorDoc } from './use-editor-doc';
import type { ExpressionScope } from '@/engine/core/expressions';
import styles from './flow-editor.module.css';



const stableJson = (f: FlowJson) => JSON.stringify(f);


export function FlowEditor({ flowId }: { flowId: string }) {
  const blocksQ = useQuery({ queryKey: queryKeys.blocks, queryFn: staffApi.blocks, staleTime: Infinity });
  const flowQ = useQuery({
    queryKey: queryKeys.flow(flowId), queryFn: () => staffApi.flow(flowId),
    retry: (n, err) => !(err instanceof ApiRequestError && err.status < 500) && n < 2,
    // The editor owns the document once loaded; a refetch only refreshes versions and the published badge.
    refetchOnWindowFocus: false,
  });
  const me = useStaff();

  const err = (blocksQ.error ?? flowQ.error) as ApiRequestError | null;
  if (err) {
    const notFound = err instanceof ApiRequestError && (err.status === 404 || err.code === 'invalid_id' || err.status === 400);
    return (
      <div className={styles.centerMessage} data-testid={notFound ? 'flow-not-found' : 'flow-load-error'}>
        <h1>{notFound ? 'Flow not found' : 'Could not load the flow'}</h1>
        <p>{notFound ? 'There is no flow at this address in your workspace. It may have been deleted, or belong to another vendor.' : err.message}</p>
        <p><Link href="/flows">Back to flows</Link></p>
      </div>
    );
  }
  if (!blocksQ.data || !flowQ.data) {
    return <div className={styles.centerMessage} data-testid="editor-loading"><p className={styles.muted}>Loading the editor…</p></div>;
  }
  return (
    <ReactFlowProvider>
      <EditorWorkspace flowId={flowId} detail={flowQ.data} me={me} blocks={blocksQ.data as unknown as BlockInfo[]} />
    </ReactFlowProvider>
  );
}

interface Problems { title: string; issues: FlowIssue[] }

function EditorWorkspace({ flowId, detail, me, blocks }: { flowId: string; detail: FlowDetail; me: StaffInfo; blocks: BlockInfo[] }) {
  const qc = useQueryClient();
  const rf = useReactFlow<BlockNode, PortEdge>();
  const [initialDoc] = useState(() => flowToCanvas(detail.definition as FlowJsonInput));
  const ed = useEditorDoc(initialDoc);
  const { doc } = ed;
  const { toasts, push, dismiss } = useToasts();
  const readOnly = !me.canWrite;
  const canvasRef = useRef<HTMLDivElement>(null);

  const flowJson = useMemo(() => canvasToFlow(doc), [doc]);
  const [savedJson, setSavedJson] = useState(() => stableJson(canvasToFlow(initialDoc)));
  const dirty = stableJson(flowJson) !== savedJson;
  const [loadedVersion, setLoadedVersion] = useState<number>(detail.version);
  const [message, setMessage] = useState('');
  const [problems, setProblems] = useState<Problems | null>(null);
  const [tab, setTab] = useState<'inspect' | 'test'>('inspect');
  const [compareOpen, setCompareOpen] = useState(false);

  // ---- validation as you edit (the server runs the engine's validateFlow) ----
  const [issues, setIssues] = useState<FlowIssue[]>([]);
  const [validated, setValidated] = useState<FlowJson | null>(null);
  const validationKey = useMemo(() => JSON.stringify({ ...flowJson, nodes: flowJson.nodes.map(({ position: _p, ...n }) => n) }), [flowJson]);
  const validateSeq = useRef(0);
  useEffect(() => {
    const seq = ++validateSeq.current;
    const def = flowJson;
    const t = setTimeout(() => {
      staffApi.validate(def).then((r) => { if (seq === validateSeq.current) { setIssues(r.issues); setValidated(def); } }, () => { /* offline: keep the last answer */ });
    }, 350);
    return () => clearTimeout(t);
  }, [validationKey]);
  const issueNodeId = useCallback((i: FlowIssue) => {
    if (i.nodeId) return i.nodeId;
    if (i.path[0] === 'nodes' && typeof i.path[1] === 'number') return validated?.nodes[i.path[1]]?.id;
    return undefined;
  }, [validated]);
  const issuesByNode = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const i of issues) { const id = issueNodeId(i); if (id) m.set(id, [...(m.get(id) ?? []), i.message]); }
    return m;
  }, [issues, issueNodeId]);

  // ---- test run ----
  const triggerNode = doc.nodes.find((n) => findBlock(blocks, n.data.type)?.isTrigger);
  // The test input follows the trigger's example until the user types their own.
  const exampleInput = useMemo(() => {
    const ex = triggerNode?.data.params.example ?? (triggerNode ? findBlock(blocks, triggerNode.data.type)?.example : undefined) ?? {};
    return JSON.stringify(ex, null, 2);
  }, [blocks, triggerNode]);
  const [testInputDraft, setTestInputDraft] = useState<string | null>(null);
  const testInput = testInputDraft ?? exampleInput;
  const [testResult, setTestResult] = useState<TestRunResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const customersQ = useQuery({ queryKey: queryKeys.customers, queryFn: staffApi.customers, enabled: tab === 'test', staleTime: 60_000 });
  const [customer, setCustomer] = useState('demo');
  useEffect(() => {
    const list = customersQ.data;
    if (list?.length && !list.some((c) => c.externalId === customer)) setCustomer(list[0].externalId);
  }, [customersQ.data, customer]);
  const stepsByNode = useMemo(() => new Map((testResult?.steps ?? []).map((s) => [s.nodeId, s])), [testResult]);
  // The data of the last test run, as expressions see it: previews of expression params evaluate on it.
  const previewScope = useMemo<ExpressionScope | null>(() => {
    if (!testResult) return null;
    const trig = testResult.steps.find((s) => s.seq === 1);
    const steps = Object.fromEntries(testResult.steps.filter((s) => s.output !== null).map((s) => [s.nodeId, s.output]));
    return { trigger: trig?.output ?? {}, steps, options: doc.meta.options, customer: { id: customer, defaultCountry: customersQ.data?.find((c) => c.externalId === customer)?.defaultCountry ?? '' }, run: { id: testResult.runId, mode: 'test' } };
  }, [customer, customersQ.data, doc.meta.options, testResult]);

  // Fields whose typed text does not parse: the flow still holds the previous value, so nothing runs or saves until fixed.
  const [draftErrors, setDraftErrors] = useState<Map<string, string>>(() => new Map());
  const reportDraftError = useCallback((key: string, message: string | null) => {
    setDraftErrors((m) => {
      if ((m.get(key) ?? null) === message) return m;
      const next = new Map(m);
      if (message) next.set(key, message); else next.delete(key);
      return next;
    });
  }, []);
  const draftProblem = draftErrors.size ? [...draftErrors.values()][0] : null;
  const ctx = useMemo<EditorContextValue>(() => ({ blocks, issuesByNode, stepsByNode, readOnly, reportDraftError }), [blocks, issuesByNode, stepsByNode, readOnly, reportDraftError]);

  // ---- selection helpers ----
  const selected = doc.nodes.filter((n) => n.selected);
  const selectedNode = selected.length === 1 ? selected[0] : null;
  const selectNode = useCallback((id: string) => {
    ed.patch((d) => ({ ...d, nodes: d.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })), edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) }));
    // Bring it into view without changing the zoom.
    const n = rf.getInternalNode(id);
    if (n) void rf.setCenter(n.internals.positionAbsolute.x + (n.measured.width ?? 200) / 2, n.internals.positionAbsolute.y + (n.measured.height ?? 100) / 2, { zoom: rf.getZoom(), duration: 250 });
  }, [ed, rf]);

  // ---- canvas changes ----
  const deleteSeq = useRef(0);
  const dragStart = useRef<CanvasDoc | null>(null);
  const onNodesChange = useCallback((changes: NodeChange<BlockNode>[]) => {
    const apply = (d: CanvasDoc) => ({ ...d, nodes: applyNodeChanges(changes, d.nodes) });
    if (changes.some((c) => c.type === 'remove')) ed.change(apply, `delete:${deleteSeq.current}`);
    else ed.patch(apply);
  }, [ed]);
  const onEdgesChange = useCallback((changes: EdgeChange<PortEdge>[]) => {
    const apply = (d: CanvasDoc) => ({ ...d, edges: applyEdgeChanges(changes, d.edges) });
    if (changes.some((c) => c.type === 'remove')) ed.change(apply, `delete:${deleteSeq.current}`);
    else ed.patch(apply);
  }, [ed]);
  const onBeforeDelete = useCallback(async () => { deleteSeq.current++; return !readOnly; }, [readOnly]);
  const onDragStartNodes = useCallback(() => { dragStart.current = ed.current(); }, [ed]);
  const onDragStopNodes = useCallback(() => {
    const before = dragStart.current;
    dragStart.current = null;
    if (!before) return;
    const now = ed.current();
    const moved = now.nodes.some((n) => { const b = before.nodes.find((x) => x.id === n.id); return b && (b.position.x !== n.position.x || b.position.y !== n.position.y); });
    if (moved) ed.recordStep(before);
  }, [ed]);

  const connect = useCallback((c: { source: string; sourceHandle?: string | null; target: string }) => {
    const reason = checkConnection(ed.current(), blocks, c);
    if (reason) { push(reason, 'error'); return; }
    const port = c.sourceHandle ?? 'out';
    ed.change((d) => ({ ...d, edges: [...d.edges, { id: newEdgeId(c.source, port, c.target, d.edges.map((e) => e.id)), source: c.source, sourceHandle: port, target: c.target, targetHandle: TARGET_HANDLE }] }));
  }, [blocks, ed, push]);
  const onConnect = useCallback((c: Connection) => connect(c), [connect]);
  const isValidConnection = useCallback<IsValidConnection<PortEdge>>((c) => checkConnection(ed.current(), blocks, c) === null, [blocks, ed]);
  const onConnectEnd = useCallback<OnConnectEnd>((_e, state: FinalConnectionState) => {
    if (state.isValid !== false || !state.fromNode || !state.toNode || !state.fromHandle) return;
    const fromSource = state.fromHandle.type === 'source';
    const attempt = fromSource
      ? { source: state.fromNode.id, sourceHandle: state.fromHandle.id, target: state.toNode.id }
      : { source: state.toNode.id, sourceHandle: state.toHandle?.id ?? null, target: state.fromNode.id };
    const reason = checkConnection(ed.current(), blocks, attempt) ?? (state.toHandle && state.toHandle.type === state.fromHandle.type ? 'Connect an output (right side) to an input (left side)' : null);
    if (reason) push(reason, 'error');
  }, [blocks, ed, push]);

  // ---- adding blocks ----
  const addBlock = useCallback((block: BlockInfo, at?: { x: number; y: number }) => {
    if (readOnly) return;
    const d0 = ed.current();
    if (block.isTrigger && d0.nodes.some((n) => findBlock(blocks, n.data.type)?.isTrigger)) {
      push('A flow has exactly one trigger, and this one has it already', 'error');
      return;
    }
    const anchor = d0.nodes.filter((n) => n.selected);
    let position = at;
    if (!position) {
      // Right of the selected block, else mid-canvas; moved down until it overlaps nothing.
      let want: { x: number; y: number };
      if (anchor.length === 1) want = { x: anchor[0].position.x + 260, y: anchor[0].position.y };
      else {
        const r = canvasRef.current?.getBoundingClientRect();
        const c = r ? rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
        want = { x: Math.round(c.x - 100), y: Math.round(c.y - 60) };
      }
      position = freePosition(d0.nodes, want);
    }
    const node = { ...createNode(block, position, d0.nodes.map((n) => n.id)), selected: true };
    ed.change((d) => {
      const edges = [...d.edges];
      // Click-to-add with one block selected wires its first free output to the new block.
      if (!at && anchor.length === 1) {
        const src = findBlock(blocks, anchor[0].data.type);
        const port = nodePorts(src, anchor[0].data).find((p) => !edges.some((e) => e.source === anchor[0].id && (e.sourceHandle ?? 'out') === p.id));
        if (port && !block.isTrigger) edges.push({ id: newEdgeId(anchor[0].id, port.id, node.id, edges.map((e) => e.id)), source: anchor[0].id, sourceHandle: port.id, target: node.id, targetHandle: TARGET_HANDLE });
      }
      return { ...d, nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges };
    });
  }, [blocks, ed, push, readOnly, rf]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(BLOCK_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  }, []);
  const onDrop = useCallback((e: DragEvent) => {
    const id = e.dataTransfer.getData(BLOCK_DRAG_TYPE);
    if (!id) return;
    e.preventDefault();
    const block = findBlock(blocks, id);
    if (!block) return;
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addBlock(block, { x: Math.round(p.x - 100), y: Math.round(p.y - 30) });
  }, [addBlock, blocks, rf]);

  // ---- editing params / meta ----
  const setParam = useCallback((nodeId: string, name: string, value: unknown) => {
    ed.change((d) => ({
      ...d,
      nodes: d.nodes.map((n) => {
        if (n.id !== nodeId) return n;
        const params = { ...n.data.params };
        if (value === undefined) delete params[name]; else params[name] = value;
        return { ...n, data: { ...n.data, params } };
      }),
    }), `param:${nodeId}:${name}`);
  }, [ed]);
  const setErrorSettings = useCallback((nodeId: string, next: { onError?: NodeOnError; retry?: NodeRetry }) => {
    ed.change((d) => ({
      ...d,
      nodes: d.nodes.map((n) => {
        if (n.id !== nodeId) return n;
        const data = { ...n.data };
        if (next.onError) data.onError = next.onError; else delete data.onError;
        if (next.retry) data.retry = next.retry; else delete data.retry;
        return { ...n, data };
      }),
      // An error output that is no longer there takes its wires with it.
      edges: next.onError?.action === 'error' ? d.edges : d.edges.filter((e) => !(e.source === nodeId && e.sourceHandle === ERROR_PORT && !findBlock(blocks, d.nodes.find((n) => n.id === nodeId)?.data.type ?? '')?.ports.some((p) => p.id === ERROR_PORT))),
    }), `errors:${nodeId}`);
  }, [blocks, ed]);
  const setLabel = useCallback((nodeId: string, label: string) => {
    ed.change((d) => ({ ...d, nodes: d.nodes.map((n) => { if (n.id !== nodeId) return n; const data = { ...n.data }; if (label) data.label = label; else delete data.label; return { ...n, data }; }) }), `label:${nodeId}`);
  }, [ed]);
  const setMeta = useCallback((patch: Partial<FlowMeta>) => {
    ed.change((d) => {
      const meta = { ...d.meta, ...patch };
      if ('description' in patch && patch.description === undefined) delete meta.description;
      if ('fallback' in patch && patch.fallback === undefined) delete meta.fallback;
      return { ...d, meta };
    }, `meta:${Object.keys(patch).join(',')}`);
  }, [ed]);

  // ---- copy / paste / undo / redo ----
  const clipboard = useRef<Clipboard | null>(null);
  const copy = useCallback(() => {
    const clip = copySelection(ed.current());
    if (!clip) return;
    clipboard.current = clip;
    push(`Copied ${clip.nodes.length} block${clip.nodes.length === 1 ? '' : 's'}`);
  }, [ed, push]);
  const paste = useCallback(() => {
    if (readOnly || !clipboard.current) return;
    const { nodes, edges, skipped } = pasteClipboard(ed.current(), clipboard.current, blocks);
    if (skipped.length) push('The trigger was not pasted: a flow has exactly one', 'error');
    if (!nodes.length) return;
    ed.change((d) => ({ ...d, nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes], edges: [...d.edges, ...edges] }));
    clipboard.current = { nodes: nodes.map((n) => ({ ...n, selected: false })), edges };
  }, [blocks, ed, push, readOnly]);
  const undo = useCallback(() => { if (!readOnly) ed.undo(); }, [ed, readOnly]);
  const redo = useCallback(() => { if (!readOnly) ed.redo(); }, [ed, readOnly]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (compareOpen) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) { e.preventDefault(); undo(); }
      else if ((k === 'z' && e.shiftKey) || k === 'y') { e.preventDefault(); redo(); }
      else if (k === 'c') { copy(); }
      else if (k === 'v') { e.preventDefault(); paste(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [compareOpen, copy, paste, redo, undo]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); };
    window.addEventListener('beforeunload', warn);
    // In-app navigation (← , the nav links, any link) asks too: a click on a link leaving the editor is held
    // until the user confirms (capture phase, before Next's Link handles it).
    const guard = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || a.target === '_blank' || a.hasAttribute('download')) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin === window.location.origin && url.pathname === window.location.pathname) return;
      if (!window.confirm('You have unsaved changes. Leave the editor and lose them?')) { e.preventDefault(); e.stopPropagation(); }
    };
    document.addEventListener('click', guard, true);
    return () => { window.removeEventListener('beforeunload', warn); document.removeEventListener('click', guard, true); };
  }, [dirty]);

  // ---- save / publish / versions ----
  const saveM = useStaffMutation((v: { definition: FlowJson; message?: string; publish?: boolean }) => staffApi.saveVersion(flowId, v), { invalidate: [queryKeys.flow(flowId), queryKeys.flows] });
  const publishM = useStaffMutation((v: number) => staffApi.publish(flowId, v), { invalidate: [queryKeys.flow(flowId), queryKeys.flows] });
  const testM = useStaffMutation((v: { definition: FlowJson; input: unknown; customer: string }) => staffApi.testRun(flowId, v), { invalidate: [queryKeys.runs] });

  const explain = (title: string, e: unknown) => {
    const err = e as ApiRequestError;
    setProblems({ title, issues: err.issues?.length ? err.issues : [{ path: err.path ?? [], message: err.message }] });
  };

  const save = useCallback(async (): Promise<number | null> => {
    if (draftProblem) { setProblems({ title: 'Not saved: a field does not hold what it shows. Fix it first:', issues: [{ path: [], message: draftProblem }] }); return null; }
    const definition = canvasToFlow(ed.current());
    try {
      const r = await saveM.mutateAsync({ definition, message: message.trim() || undefined });
      setSavedJson(stableJson(definition));
      setLoadedVersion(r.version);
      setMessage('');
      if (r.issues.length) setProblems({ title: `Saved v${r.version} as a draft. Fix these before publishing:`, issues: r.issues });
      else { setProblems(null); push(`Saved v${r.version}`, 'ok'); }
      return r.version;
    } catch (e) {
      explain((e as ApiRequestError).status === 403 ? 'You cannot save: your role is viewer' : 'Not saved. Fix these first:', e);
      return null;
    }
  }, [draftProblem, ed, message, push, saveM]);

  // Problems block publishing before anything is written: unsaved changes are saved and published in one
  // request that the server refuses whole when the flow has problems.
  const publish = useCallback(async () => {
    if (draftProblem) { setProblems({ title: 'Not published, nothing saved: a field does not hold what it shows. Fix it first:', issues: [{ path: [], message: draftProblem }] }); return; }
    const definition = canvasToFlow(ed.current());
    let known: FlowIssue[] = [];
    try { known = (await staffApi.validate(definition)).issues; } catch { /* the server checks again below */ }
    if (known.length) {
      setIssues(known); setValidated(definition);
      setProblems({ title: `Not published, nothing saved. Fix ${known.length === 1 ? 'this problem' : `these ${known.length} problems`} first:`, issues: known });
      return;
    }
    try {
      let v = loadedVersion;
      if (dirty) {
        const r = await saveM.mutateAsync({ definition, message: message.trim() || undefined, publish: true });
        setSavedJson(stableJson(definition));
        setLoadedVersion(r.version);
        setMessage('');
        v = r.version;
      } else {
        await publishM.mutateAsync(v);
      }
      setProblems(null);
      push(`Published v${v}: the automation URL now runs it`, 'ok');
    } catch (e) {
      explain('Not published, nothing saved. Fix these first:', e);
    }
  }, [dirty, draftProblem, ed, loadedVersion, message, publishM, push, saveM]);

  const loadVersion = useCallback(async (v: number) => {
    try {
      const d = await qc.fetchQuery({ queryKey: queryKeys.flowVersion(flowId, v), queryFn: () => staffApi.flowVersion(flowId, v), staleTime: Infinity });
      const next = flowToCanvas(d.definition as FlowJsonInput);
      ed.change(() => next);
      setSavedJson(stableJson(canvasToFlow(next)));
      setLoadedVersion(v);
      push(`Loaded v${v}${dirty ? ' (Ctrl+Z brings your unsaved changes back)' : ''}`);
      requestAnimationFrame(() => void rf.fitView({ padding: 0.2, maxZoom: 1, duration: 200 }));
    } catch (e) { push((e as Error).message, 'error'); }
  }, [dirty, ed, flowId, push, qc, rf]);

  const runTest = useCallback(async () => {
    let input: unknown;
    if (draftProblem) { setTestError(`Not run: ${draftProblem}`); return; }
    try { input = JSON.parse(testInput); } catch { setTestError('The input is not valid JSON'); return; }
    setTestError(null);
    try {
      const r = await testM.mutateAsync({ definition: canvasToFlow(ed.current()), input, customer });
      setTestResult(r);
      if (r.error?.nodeId) selectNode(r.error.nodeId);
    } catch (e) {
      const err = e as ApiRequestError;
      setTestResult(null);
      // Said once: the issues the message does not already say, added after it.
      const more = (err.issues ?? []).map((i) => i.message).filter((m) => !err.message.includes(m));
      setTestError(more.length ? `${err.message}: ${more.join('; ')}` : err.message);
    }
  }, [customer, draftProblem, ed, selectNode, testInput, testM]);

  const paths = useMemo(() => collectDataPaths(flowJson, blocks, selectedNode?.id ?? null), [flowJson, blocks, selectedNode?.id]);
  const nodeIssues = (id: string) => issues.filter((i) => issueNodeId(i) === id);

  const displayEdges = useMemo(() => {
    if (!testResult) return doc.edges;
    return doc.edges.map((e) => (stepsByNode.get(e.source)?.port === (e.sourceHandle ?? 'out') && stepsByNode.has(e.target) ? { ...e, animated: true, className: styles.edgeTaken } : e));
  }, [doc.edges, stepsByNode, testResult]);

  const published = detail.flow.publishedVersion;
  const versions = detail.versions;
  const busy = saveM.isPending || publishM.isPending;
  const cannotRun = readOnly ? me.writeDeniedReason : !triggerNode ? 'Add a trigger first.' : null;

  return (
    <EditorContext.Provider value={ctx}>
      <div className={styles.editor}>
        <div className={styles.toolbar} role="toolbar" aria-label="Flow">
          <Link href="/flows" className={styles.back} aria-label="Back to flows">←</Link>
          <input className={styles.nameInput} value={doc.meta.name} onChange={(e) => setMeta({ name: e.target.value })} disabled={readOnly} data-testid="flow-name" aria-label="Flow name" />
          <span className={styles.autoLabel} title="The automation this flow answers: POST /api/v1/customers/{customer}/automations/{name}">
            <span className={styles.muted} aria-hidden>⚙</span>
            <input className={styles.autoInput} value={doc.meta.automation} list="automation-names" onChange={(e) => setMeta({ automation: e.target.value })} disabled={readOnly} data-testid="flow-automation" aria-label="Automation name" spellCheck={false} />
            <datalist id="automation-names">{KNOWN_AUTOMATIONS.map((a) => <option key={a} value={a} />)}</datalist>
          </span>
          <span className={published ? styles.badgeOk : styles.badge} data-testid="flow-status" title={published ? `The automation URL runs v${published}` : 'Not published: the automation URL does not run this flow yet'}>
            {published ? `published v${published}` : 'draft'}
          </span>
          {dirty && <span className={styles.dirty} data-testid="dirty-marker">unsaved changes</span>}
          <span className={styles.spacer} />
          <select className={styles.versionSelect} value={loadedVersion} onChange={(e) => void loadVersion(Number(e.target.value))} data-testid="version-select" aria-label="Version">
            {[...versions].sort((a, b) => b.version - a.version).map((v) => (
              <option key={v.version} value={v.version}>v{v.version}{v.version === published ? ' (published)' : ''}{v.message ? ` — ${v.message}` : ''}</option>
            ))}
          </select>
          <button type="button" className={styles.button} onClick={() => setCompareOpen(true)} data-testid="compare-versions">Compare</button>
          <button type="button" className={styles.iconButton} onClick={undo} disabled={!ed.canUndo || readOnly} data-testid="undo" title="Undo (Ctrl+Z)" aria-label="Undo">↶</button>
          <button type="button" className={styles.iconButton} onClick={redo} disabled={!ed.canRedo || readOnly} data-testid="redo" title="Redo (Ctrl+Shift+Z)" aria-label="Redo">↷</button>
          <input className={styles.messageInput} value={message} onChange={(e) => setMessage(e.target.value)} placeholder="Version note (optional)" disabled={readOnly} data-testid="save-message" aria-label="Version note"
            onKeyDown={(e) => { if (e.key === 'Enter') void save(); }} />
          <button type="button" className={styles.button} onClick={() => void save()} disabled={readOnly || busy} data-testid="save-flow" title={readOnly ? me.writeDeniedReason ?? undefined : 'Save a new version'}>
            {saveM.isPending ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className={styles.primaryButton} onClick={() => void publish()} disabled={readOnly || busy} data-testid="publish-flow"
            title={readOnly ? me.writeDeniedReason ?? undefined : dirty ? 'Saves your changes as a new version, then publishes it' : `Publish v${loadedVersion}`}>
            {publishM.isPending ? 'Publishing…' : 'Publish'}
          </button>
          <button type="button" className={tab === 'test' ? styles.buttonActive : styles.button} onClick={() => setTab(tab === 'test' ? 'inspect' : 'test')} data-testid="test-run" aria-pressed={tab === 'test'}>Test run</button>
        </div>
        {readOnly && <div className={styles.banner} data-testid="read-only-banner">You have view-only access: you can look at this flow and its versions, but not change, save or publish it.</div>}
        {problems && (
          <div className={styles.problems} role="alert" data-testid="save-problems">
            <div className={styles.row}><b>{problems.title}</b><span className={styles.spacer} /><button type="button" className={styles.linkButton} onClick={() => setProblems(null)} aria-label="Dismiss">✕</button></div>
            <ul>
              {problems.issues.map((i, k) => {
                const id = issueNodeId(i);
                return <li key={k}>{id ? <button type="button" className={styles.linkButton} onClick={() => selectNode(id)}>{id}</button> : null}{id ? ': ' : ''}{i.message}</li>;
              })}
            </ul>
          </div>
        )}
        <div className={styles.workspace}>
          <Palette blocks={blocks} onAdd={(b) => addBlock(b)} disabled={readOnly} />
          <div className={styles.canvas} ref={canvasRef} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
            <ReactFlow<BlockNode, PortEdge>
              nodes={doc.nodes} edges={displayEdges} nodeTypes={nodeTypes}
              onNodesChange={onNodesChange} onEdgesChange={onEdgesChange} onConnect={onConnect} onConnectEnd={onConnectEnd}
              isValidConnection={isValidConnection} onBeforeDelete={onBeforeDelete}
              onNodeDragStart={onDragStartNodes} onNodeDragStop={onDragStopNodes} onSelectionDragStart={onDragStartNodes} onSelectionDragStop={onDragStopNodes}
              deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']} nodesDraggable={!readOnly} nodesConnectable={!readOnly}
              fitView fitViewOptions={{ padding: 0.2, maxZoom: 1 }} minZoom={0.2} maxZoom={2}
              defaultEdgeOptions={{ type: 'smoothstep' }}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable ariaLabel="Mini map" style={{ width: 160, height: 100 }} />
            </ReactFlow>
            {doc.nodes.length === 0 && (
              <div className={styles.canvasEmpty} data-testid="canvas-empty">
                <b>An empty flow.</b> Drag <i>Webhook / automation URL</i> from the left onto this canvas to start it, then add blocks and connect their outputs.
              </div>
            )}
          </div>
          <aside className={styles.side} aria-label="Inspector">
            <div className={styles.tabs} role="tablist">
              <button type="button" role="tab" aria-selected={tab === 'inspect'} className={tab === 'inspect' ? styles.tabActive : styles.tab} onClick={() => setTab('inspect')} data-testid="tab-inspector">Inspector</button>
              <button type="button" role="tab" aria-selected={tab === 'test'} className={tab === 'test' ? styles.tabActive : styles.tab} onClick={() => setTab('test')} data-testid="tab-test">Test run</button>
            </div>
            {tab === 'inspect' ? (
              selectedNode ? (
                <NodeInspector
                  node={selectedNode} blocks={blocks} issues={nodeIssues(selectedNode.id)} paths={paths} readOnly={readOnly}
                  onParam={(name, v) => setParam(selectedNode.id, name, v)} onLabel={(l) => setLabel(selectedNode.id, l)}
                  onErrorSettings={(next) => setErrorSettings(selectedNode.id, next)} previewScope={previewScope}
                  onDelete={() => void rf.deleteElements({ nodes: [{ id: selectedNode.id }] })}
                />
              ) : selected.length > 1 ? (
                <div className={styles.inspectorBody}><h2>{selected.length} blocks selected</h2><p className={styles.muted}>Ctrl+C copies them, Delete removes them. Select one block to edit it.</p></div>
              ) : (
                <FlowInspector meta={doc.meta} issues={issues} nodeCount={doc.nodes.length} readOnly={readOnly} paths={paths} onMeta={setMeta} onSelectNode={selectNode} issueNodeId={issueNodeId} />
              )
            ) : (
              <TestRunPanel
                input={testInput} onInput={setTestInputDraft} onResetInput={() => setTestInputDraft(null)}
                customers={customersQ.data} customer={customer} onCustomer={setCustomer}
                onRun={() => void runTest()} running={testM.isPending} canRun={!cannotRun} cannotRunReason={cannotRun}
                result={testResult} error={testError} selectedNodeId={selectedNode?.id ?? null} onSelectNode={selectNode}
              />
            )}
          </aside>
        </div>
        <Toasts toasts={toasts} dismiss={dismiss} />
        {compareOpen && <CompareDialog flowId={flowId} versions={versions} current={flowJson} onClose={() => setCompareOpen(false)} />}
      </div>
    </EditorContext.Provider>
  );
}
