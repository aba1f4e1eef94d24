import { FlowEditor } from '@/components/flow-editor/flow-editor';

export const metadata = { title: 'Flow editor · Patchbay' };

export default async function FlowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FlowEditor key={id} flowId={id} />;
}
