import type { App } from '@slack/bolt';

/**
 * A file for one person goes to their DM with the bot: an ephemeral reply cannot carry a file, and an
 * upload into the channel would show it to everyone there. Throws when Slack refuses (e.g. no `files:write`).
 */
export async function sendFileToDm(
  client: App['client'],
  userId: string,
  file: { content: Buffer | string; filename: string; title: string; comment: string; altText?: string },
): Promise<void> {
  const dm = await client.conversations.open({ users: userId });
  await client.files.uploadV2({
    channel_id: dm.channel!.id!,
    file: typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
    filename: file.filename,
    title: file.title,
    ...(file.altText ? { alt_text: file.altText } : {}),
    initial_comment: file.comment,
  });
}
