import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { isCalendarDate } from '../forecast/history-csv.js';
import type { Services } from '../services.js';
import { describeImport, importFromBackend } from '../usecases/import-history.js';
import type { Subcommand } from './forecast-commands.js';

/**
 * `/invoices import [stripe|quickbooks|freshbooks|zoho] [since YYYY-MM-DD]` (approvers only): the back-end
 * history import of `npm run import`, run in the background after the ack; progress and the report
 * come as ephemeral replies (Slack's response_url takes up to 5 within 30 minutes: we use 3).
 * One import at a time per process; a re-run is always safe.
 */
export function importSubcommands(services: Services): Record<string, Subcommand> {
  let running: string | null = null;
  return {
    import: async ({ text, userId, respond }) => {
      if (!services.settings.approverSlackUserIds.includes(userId)) return void (await respond(notAllowedMessage('import invoice history')));
      const args = text.trim().split(/\s+/).slice(1);
      const configured = Object.keys(services.backends).filter((name) => services.backends[name]!.listInvoicesForImport);
      const backend = args.find((a) => !isCalendarDate(a))?.toLowerCase() ?? (configured.length === 1 ? configured[0]! : null);
      const since = args.find(isCalendarDate) ?? null;
      const usage = `Usage: \`/invoices import &lt;${configured.join('|') || 'back-end'}&gt; [YYYY-MM-DD]\` (only invoices dated on or after that day).`;
      if (!backend || args.length > 2) return void (await respond({ text: usage }));
      if (!configured.includes(backend))
        return void (await respond({ text: `"${esc(backend.slice(0, 40))}" is not a configured back-end (configured: ${configured.join(', ') || 'none'}). ${usage}` }));
      if (running) return void (await respond({ text: `An import from ${running} is running already; I'll answer there when it is done.` }));
      running = backend;
      await respond({
        text: `Importing the invoices and payments in ${backend}${since ? ` dated ${since} or later` : ''}. They become history for the forecast, aging and client stats; nobody is emailed or reminded.`,
      });
      services.background.start('invoice history import', async () => {
        try {
          const report = await importFromBackend(
            {
              db: services.db,
              clock: services.clock,
              timezone: services.settings.timezone,
              actor: `slack:${userId}`,
              backends: services.backends,
              onProgress: progressOnce(respond, backend),
            },
            backend,
            since,
          );
          services.log.info({ backend, imported: report.imported, updated: report.updated, skipped: report.skipped.length }, 'invoice history imported');
          await respond({ text: esc(describeImport(report)) });
        } catch (err) {
          services.log.warn({ backend, err: (err as Error).message }, 'invoice history import failed');
          await respond({
            text: `The import from ${backend} stopped: ${esc((err as Error).message)}. What was stored so far stays; running it again carries on without duplicates.`,
          });
        } finally {
          running = null;
        }
      });
    },
  };
}

/** One progress note once the back-end's list has been read (the rest is database work). */
function progressOnce(respond: Parameters<Subcommand>[0]['respond'], backend: string): (done: number, total: number) => void {
  let said = false;
  return (done, total) => {
    if (said || done !== 0) return;
    said = true;
    void respond({ text: `Read ${total} invoice${total === 1 ? '' : 's'} from ${backend}; storing them…` }).catch(() => undefined);
  };
}
