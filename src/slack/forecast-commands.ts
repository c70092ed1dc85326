import type { App } from '@slack/bolt';
import { balanceSetMessage, forecastMessage } from '../../blocks/forecast.js';
import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import { forecastChartPng, forecastNow, setStartingBalance, type ForecastOutlook } from '../usecases/forecast.js';

/** One `/invoices <sub>` handler: the full command text, who asked, an ephemeral reply, the Web API client. */
export type Subcommand = (request: {
  text: string;
  userId: string;
  respond: (message: { text: string; blocks?: object[] }) => Promise<unknown>;
  client: App['client'];
  /** The command's trigger_id, for subcommands that open a modal. */
  triggerId?: string;
}) => Promise<void>;

/** `/invoices forecast` and `/invoices balance <amount> [currency]`, dispatched from the `/invoices` listener. */
export function forecastSubcommands(services: Services): Record<string, Subcommand> {
  return {
    forecast: async ({ userId, respond }) => {
      const outlook = await forecastNow(services);
      await respond(forecastMessage(outlook));
      if (outlook.currencies.length) await sendChart(services, userId, outlook, respond);
    },
    balance: async ({ text, userId, respond }) => {
      // The bank balance is sensitive and steers decisions: only approvers may set it.
      if (!services.settings.approverSlackUserIds.includes(userId)) return void (await respond(notAllowedMessage('set the starting balance')));
      const result = await setStartingBalance(services, text.trim().replace(/^\S+\s*/, ''), `slack:${userId}`);
      await respond(result.ok ? balanceSetMessage(result.balance.amount, result.balance.currency) : { text: esc(result.reason) });
    },
  };
}

/**
 * The chart goes to the requester's DM with the bot (SlackNotifier.uploadToDm). A failed upload (e.g. the app
 * lacks `files:write`) is reported to the requester; the table has already been answered.
 */
async function sendChart(services: Services, userId: string, outlook: ForecastOutlook, respond: Parameters<Subcommand>[0]['respond']): Promise<void> {
  try {
    const png = await forecastChartPng(outlook);
    await services.slack.uploadToDm(userId, {
      content: png,
      filename: `cash-flow-forecast-${outlook.asOf}.png`,
      title: `Cash-flow forecast from ${outlook.asOf}`,
      altText: `Bar chart of the expected inflows per week for the 30 days after ${outlook.asOf}`,
      comment: 'The chart of your `/invoices forecast`.',
    });
  } catch (err) {
    services.log.warn({ err: (err as Error).message }, 'forecast chart not sent');
    await respond({ text: `I couldn't send the chart (${esc((err as Error).message)}); the table above is complete.` });
  }
}
