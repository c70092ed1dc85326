import { esc } from '../../blocks/format.js';
import { historyMessage } from '../../blocks/history.js';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import { buildExport, parseExportRequest } from '../usecases/exports.js';
import { auditHistory } from '../usecases/history.js';
import type { Subcommand } from './forecast-commands.js';
import { argumentOf } from './invoice-actions-commands.js';

/**
 * `/invoices export aging|invoices|audit [from] [to]` (approvers: a CSV of every client's money, to
 * the requester's DM) and `/invoices history <number|client> [page N]` (a read, answered ephemerally).
 */
export function recordsSubcommands(services: Services): Record<string, Subcommand> {
  return {
    export: async ({ text, userId, respond }) => {
      if (!services.access.isApprover(userId)) return void (await respond(notAllowedMessage('export data')));
      const parsed = parseExportRequest(argumentOf(text));
      if (!parsed.ok) return void (await respond({ text: parsed.message }));
      const file = await buildExport(services, parsed.request);
      try {
        await services.slack.uploadToDm(userId, { content: file.csv, filename: file.filename, title: file.title, comment: `Your \`/invoices export ${parsed.request.kind}\`.` });
      } catch (err) {
        services.log.warn({ err: (err as Error).message, export: parsed.request.kind }, 'export not sent');
        return void (await respond({ text: `I couldn't send the file (${esc((err as Error).message)}).` }));
      }
      services.log.info({ user: userId, export: parsed.request.kind, rows: file.rows }, 'export sent');
      await respond({ text: `:page_facing_up: ${esc(file.filename)} (${file.rows} row${file.rows === 1 ? '' : 's'}) is in your DM with me.` });
    },
    history: async ({ text, respond }) => {
      const words = argumentOf(text);
      if (!words) return void (await respond({ text: 'Whose history? Try `/invoices history INV-0042` or `/invoices history acme`.' }));
      const page = await auditHistory(services, words);
      await respond(
        page
          ? historyMessage(page, { timezone: services.settings.timezone })
          : { text: `No invoice numbered and no client named "${esc(words.slice(0, 60))}"; use an invoice number, a client id or its exact name.` },
      );
    },
  };
}
