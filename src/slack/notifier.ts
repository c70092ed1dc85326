import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';

export interface SlackFile {
  content: Buffer | string;
  filename: string;
  title: string;
  altText?: string;
  comment?: string;
}

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

/**
 * Outgoing Slack messages for the use cases. Slack is a view of the database, not the record: a
 * failed post is logged and the business action still stands (the message is refreshed next time).
 */
export class SlackNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
  ) {}

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string | null> {
    try {
      const res = await this.client.chat.postMessage({
        channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      return res.ts ?? null;
    } catch (err) {
      this.log.error({ err: errorText(err), channel }, 'slack: post failed');
      return null;
    }
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<boolean> {
    try {
      await this.client.chat.update({ channel, ts, text: message.text, ...(message.blocks ? { blocks: message.blocks as never } : {}) });
      return true;
    } catch (err) {
      this.log.error({ err: errorText(err), channel, ts }, 'slack: update failed');
      return false;
    }
  }

  /** A file into a channel (files.uploadV2: needs `files:write`); false when it failed (logged). */
  async upload(channel: string, file: SlackFile): Promise<boolean> {
    try {
      await this.uploadOrThrow(channel, file);
      return true;
    } catch (err) {
      this.log.error({ err: errorText(err), channel }, 'slack: upload failed');
      return false;
    }
  }

  /**
   * A file for one person, in their DM with the bot: an ephemeral reply cannot carry a file, and an upload
   * into the channel would show it to everyone there. Throws when Slack refuses (e.g. no `files:write`),
   * so the caller can tell the person why.
   */
  async uploadToDm(userId: string, file: SlackFile): Promise<void> {
    const dm = await this.client.conversations.open({ users: userId });
    if (!dm.channel?.id) throw new Error('conversations.open returned no channel');
    await this.uploadOrThrow(dm.channel.id, file);
  }

  private async uploadOrThrow(channel: string, file: SlackFile): Promise<void> {
    await this.client.files.uploadV2({
      channel_id: channel,
      file: typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
      filename: file.filename,
      title: file.title,
      ...(file.altText ? { alt_text: file.altText } : {}),
      ...(file.comment ? { initial_comment: file.comment } : {}),
    });
  }

  async directMessage(userId: string, message: SlackMessage): Promise<string | null> {
    try {
      const opened = await this.client.conversations.open({ users: userId });
      const channel = opened.channel?.id;
      if (!channel) throw new Error('conversations.open returned no channel');
      return await this.post(channel, message);
    } catch (err) {
      this.log.error({ err: errorText(err), userId }, 'slack: DM failed');
      return null;
    }
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
