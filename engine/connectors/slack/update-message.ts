// chat.update: changes a message the app posted (its channel and ts, e.g. from slack.postMessage).
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { createSlackClient } from './client';
import { slackCallOf } from './find-user-by-email';
import { callerCardBlocks, callerCardSchema } from './post-message';

export const updateMessageBlock = defineBlock({
  id: 'slack.updateMessage',
  effect: { what: 'Update a Slack message' },
  version: 1,
  title: 'Slack: update a message',
  description: 'Changes the text or blocks of a message the app posted (chat.update).',
  category: 'Messaging',
  icon: 'edit',
  connector: 'slack',
  idempotent: true,
  params: z.object({
    channel: z.string().min(1).max(40).describe('Conversation id, e.g. =steps.post.channel'),
    ts: z.string().min(1).max(40).describe('The message\'s ts, e.g. =steps.post.ts'),
    text: z.string().max(40_000),
    blocks: z.array(z.record(z.string(), z.unknown())).max(50).nullish(),
    card: callerCardSchema.nullish(),
  }),
  output: z.object({ channel: z.string(), ts: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => `message ${String(p.ts ?? '')}`,
  async run(ctx, p) {
    const slack = createSlackClient(slackCallOf(ctx, await ctx.connections.get('slack')));
    const blocks = p.blocks ?? (p.card ? callerCardBlocks(p.card) : undefined);
    const res = await slack.api<{ channel: string; ts: string }>('chat.update', { channel: p.channel, ts: p.ts, text: p.text, ...(blocks ? { blocks } : {}) }, { retry: true });
    return { output: { channel: res.channel, ts: res.ts } };
  },
});
