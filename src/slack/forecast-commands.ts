import { balanceSetMessage, forecastMessage } from '../../blocks/forecast.js';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import { forecastNow, setStartingBalance } from '../usecases/forecast.js';

/** One `/invoices <sub>` handler: the full command text, who asked, and an ephemeral reply. */
export type Subcommand = (request: { text: string; userId: string; respond: (message: { text: string; blocks?: object[] }) => Promise<unknown> }) => Promise<void>;

/** `/invoices forecast` and `/invoices balance <amount> [currency]`, dispatched from the `/invoices` listener. */
export function forecastSubcommands(services: Services): Record<string, Subcommand> {
  return {
    forecast: async ({ respond }) => {
      await respond(forecastMessage(await forecastNow(services)));
    },
    balance: async ({ text, userId, respond }) => {
      // The bank balance is sensitive and steers decisions: only approvers may set it.
      if (!services.settings.approverSlackUserIds.includes(userId)) return void (await respond(notAllowedMessage('set the starting balance')));
      const result = await setStartingBalance(services, text.trim().replace(/^\S+\s*/, ''), `slack:${userId}`);
      await respond(result.ok ? balanceSetMessage(result.balance.amount, result.balance.currency) : { text: result.reason });
    },
  };
}
