import type { AllMiddlewareArgs, AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import { APPROVE_INVOICE, DISCARD_INVOICE, EDIT_INVOICE, EDIT_INVOICE_MODAL, OPEN_CLIENT_SETTINGS } from '../../blocks/ids.js';
import { CLIENT_PICKER_MODAL, CLIENT_SETTINGS_MODAL } from '../../blocks/client-settings-modal.js';
import { CLIENT_SETUP_MODAL, EDIT_CLIENT } from '../../blocks/client-setup-modal.js';
import { NEW_INVOICE_MODAL } from '../../blocks/new-invoice-modal.js';
import {
  ADJUST_AMOUNT,
  ADJUST_MODAL,
  MARK_DISPUTED,
  PROMISE_MODAL,
  REPLY_MARK_DISPUTED,
  REPLY_MODAL,
  REPLY_NOT_DISPUTE,
  REPLY_PROMISE,
  REPLY_TO_CLIENT,
  RESOLVE_DISPUTE,
} from '../../blocks/dispute-ids.js';
import { TEMPLATE_EDIT, TEMPLATE_MODAL, TEMPLATE_PREVIEW, TEMPLATE_RESET } from '../../blocks/template-ids.js';
import { KEEP_CURRENT_BACKEND_ACCOUNT, USE_NEW_BACKEND_ACCOUNT } from '../../blocks/backend-connect.js';
import { RETRY_DEAD_LETTER } from '../../blocks/dead-letter-ids.js';
import { UPDATE_BOUNCED_EMAIL } from '../../blocks/bounce.js';
import { RECOMPUTE_TAX, SEND_WITHOUT_TAX } from '../../blocks/sales-tax.js';
import { TODAYS_PREVIEW, TODAYS_SEND_NOW, TODAYS_SKIP, TODAYS_SNOOZE } from '../../blocks/todays-sends.js';
import { EMAIL_STATEMENT } from '../../blocks/client-summary.js';
import { WAIVE_LATE_FEE } from '../../blocks/late-fee.js';
import { notAllowedMessage, notAMemberMessage, unknownCommandMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import type { Role } from './access.js';
import { errorText } from './notifier.js';
import { subcommandOf } from './share.js';

/**
 * Who may do what in Slack, for every interaction the app answers: the one source of truth, enforced
 * by one global Bolt middleware before any listener runs. An id missing here is refused (deny by
 * default), so a new button, modal or subcommand does nothing until it is given a role below.
 *
 * 'anyone': help only. 'viewer': reads (billing-channel members and approvers). 'approver': anything
 * that changes state, sends, or opens a form that only approvers may submit.
 */
export type Needed = 'anyone' | 'viewer' | 'approver';

export interface Rule {
  needs: Needed;
  /** Completes "only invoice approvers can …" in the refusal. */
  what: string;
}

/** The kinds of Slack request that carry an id a user chose (payload `type`, plus the `/invoices` subcommand). */
export type InteractionKind = 'block_actions' | 'view_submission' | 'view_closed' | 'block_suggestion' | 'subcommand';

const anyone = (what: string): Rule => ({ needs: 'anyone', what });
const viewer = (what: string): Rule => ({ needs: 'viewer', what });
const approver = (what: string): Rule => ({ needs: 'approver', what });

/** The slash command whose subcommands the `subcommand` rules cover; any other command is refused. */
export const INVOICES_COMMAND = '/invoices';

export const AUTHORIZATION: Readonly<Record<InteractionKind, Readonly<Record<string, Rule>>>> = {
  block_actions: {
    [APPROVE_INVOICE]: approver('approve and send invoices'),
    [DISCARD_INVOICE]: approver('discard invoices'),
    [EDIT_INVOICE]: approver('edit invoices'),
    [OPEN_CLIENT_SETTINGS]: viewer('see client settings'),
    [TEMPLATE_EDIT]: viewer('see email templates'),
    [TEMPLATE_PREVIEW]: viewer('preview email templates'),
    [TEMPLATE_RESET]: approver('change email templates'),
    [MARK_DISPUTED]: approver('mark invoices disputed'),
    [RESOLVE_DISPUTE]: approver('resolve disputes'),
    [ADJUST_AMOUNT]: approver('adjust invoice amounts'),
    [REPLY_MARK_DISPUTED]: approver('mark invoices disputed'),
    [REPLY_NOT_DISPUTE]: approver('correct reply classifications'),
    [REPLY_PROMISE]: approver('correct reply classifications'),
    [REPLY_TO_CLIENT]: approver('reply to clients'),
    [USE_NEW_BACKEND_ACCOUNT]: approver('switch the accounting company'),
    [KEEP_CURRENT_BACKEND_ACCOUNT]: approver('switch the accounting company'),
    [RETRY_DEAD_LETTER]: approver('retry dead letters'),
    [UPDATE_BOUNCED_EMAIL]: approver("update clients' billing emails"),
    [RECOMPUTE_TAX]: approver('recompute sales tax'),
    [SEND_WITHOUT_TAX]: approver('send invoices without tax'),
    [TODAYS_SKIP]: approver('skip reminders'),
    [TODAYS_SNOOZE]: approver('snooze reminders'),
    [TODAYS_PREVIEW]: approver('preview reminders'),
    [TODAYS_SEND_NOW]: approver('send reminders'),
    [EMAIL_STATEMENT]: approver('email statements'),
    [WAIVE_LATE_FEE]: approver('waive late fees'),
    [EDIT_CLIENT]: approver('set up clients'),
  },
  view_submission: {
    [EDIT_INVOICE_MODAL]: approver('edit invoices'),
    [CLIENT_PICKER_MODAL]: viewer('see client settings'),
    [CLIENT_SETTINGS_MODAL]: approver('change client settings'),
    [TEMPLATE_MODAL]: approver('change email templates'),
    [ADJUST_MODAL]: approver('adjust invoices'),
    [PROMISE_MODAL]: approver('change reminders'),
    [REPLY_MODAL]: approver('email clients'),
    [CLIENT_SETUP_MODAL]: approver('set up clients'),
    [NEW_INVOICE_MODAL]: approver('create invoices'),
  },
  view_closed: {},
  block_suggestion: {},
  subcommand: {
    help: anyone('see the commands'),
    list: viewer('list invoices'),
    show: viewer('see invoices'),
    aging: viewer('see the aging report'),
    client: viewer('see clients'),
    status: viewer('see the connections'),
    forecast: viewer('see the forecast'),
    settings: viewer('see client settings'),
    templates: viewer('see email templates'),
    template: viewer('see email templates'),
    balance: approver('set the starting balance'),
    pause: approver('pause reminders'),
    resume: approver('resume reminders'),
    remind: approver('send reminders'),
    import: approver('import invoice history'),
    connect: approver('connect accounts'),
    disconnect: approver('disconnect accounts'),
    'client-link': approver('manage client page links'),
    new: approver('create invoices'),
    export: approver('export data'),
    history: viewer('see the audit trail'),
  },
};

/** The rule for an id, or null: unknown ids (and prototype names such as `__proto__`) get none. */
export function ruleFor(kind: InteractionKind, id: string, table = AUTHORIZATION): Rule | null {
  const rules = table[kind];
  return Object.hasOwn(rules, id) ? rules[id]! : null;
}

const RANK: Record<Needed, number> = { anyone: 0, viewer: 1, approver: 2 };

/** Whether a role satisfies a rule; 'outsider' satisfies only 'anyone'. */
export function allows(needs: Needed, role: Role): boolean {
  if (needs === 'anyone') return true;
  return needs === 'viewer' ? role !== 'outsider' : role === 'approver';
}

/** What a request asks for: its kind, the user, and every id it names (a forged block_actions may carry several). */
interface Interaction {
  kind: InteractionKind | 'other';
  user: string;
  ids: string[];
}

type Body = Record<string, unknown> & { user?: { id?: string }; user_id?: string; type?: string };

function interactionOf(body: Body): Interaction | null {
  const user = String(body.user?.id ?? body.user_id ?? '');
  if (typeof body.command === 'string') {
    return body.command === INVOICES_COMMAND ? { kind: 'subcommand', user, ids: [subcommandOf(String(body.text ?? ''))] } : { kind: 'other', user, ids: [body.command] };
  }
  switch (body.type) {
    case 'event_callback':
      return null; // events are Slack's own (Home tab opened, channel joins); their listeners check roles themselves
    case 'block_actions': {
      const actions = Array.isArray(body.actions) ? (body.actions as { action_id?: unknown }[]) : [];
      return { kind: 'block_actions', user, ids: actions.length ? actions.map((a) => String(a.action_id ?? '')) : [''] };
    }
    case 'view_submission':
    case 'view_closed':
      return { kind: body.type, user, ids: [String((body.view as { callback_id?: unknown } | undefined)?.callback_id ?? '')] };
    case 'block_suggestion':
      return { kind: 'block_suggestion', user, ids: [String(body.action_id ?? '')] };
    default:
      return { kind: 'other', user, ids: [String(body.type ?? 'unknown')] };
  }
}

type Verdict = 'allowed' | 'unknown_id' | 'not_member' | 'not_approver' | 'membership_unknown';

async function judge(services: Services, interaction: Interaction): Promise<{ verdict: Verdict; rule: Rule | null }> {
  if (interaction.kind === 'other') return { verdict: 'unknown_id', rule: null };
  const rules = interaction.ids.map((id) => ruleFor(interaction.kind as InteractionKind, id));
  if (rules.some((r) => r === null)) return { verdict: 'unknown_id', rule: null };
  const rule = (rules as Rule[]).reduce((a, b) => (RANK[b.needs] > RANK[a.needs] ? b : a));
  if (rule.needs === 'anyone') return { verdict: 'allowed', rule };
  if (rule.needs === 'approver') return { verdict: services.access.isApprover(interaction.user) ? 'allowed' : 'not_approver', rule };
  let role: Role;
  try {
    role = await services.access.roleOf(interaction.user);
  } catch {
    return { verdict: 'membership_unknown', rule }; // logged by SlackAccess; not knowing is no permission
  }
  return { verdict: allows(rule.needs, role) ? 'allowed' : 'not_member', rule };
}

const MEMBERSHIP_UNKNOWN = "I couldn't check who is in the billing channel just now; please try again in a moment.";

function refusalText(services: Services, verdict: Exclude<Verdict, 'allowed'>, rule: Rule | null, interaction: Interaction): string {
  switch (verdict) {
    case 'not_approver':
      return notAllowedMessage(rule!.what).text;
    case 'not_member':
      return notAMemberMessage(services.settings.billingChannelId).text;
    case 'membership_unknown':
      return MEMBERSHIP_UNKNOWN;
    case 'unknown_id':
      return interaction.kind === 'subcommand' ? unknownCommandMessage(interaction.ids[0]!).text : "Sorry, I don't know that action; nothing was done.";
  }
}

/**
 * The global middleware: allowed requests go on to their listener; refused ones are acknowledged and
 * answered only to the asker (an ephemeral reply, a field error on the modal, or nothing for a closed
 * modal or an options list), and logged once. Nothing is opened, posted or changed.
 */
export function authorizeInteractions(services: Services): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as unknown as Body;
    const interaction = interactionOf(body);
    if (!interaction) return args.next();
    const { verdict, rule } = await judge(services, interaction);
    if (verdict === 'allowed') return args.next();
    // An id without a rule is a forgery or a listener someone forgot to give a role: worth a warning.
    services.log[verdict === 'unknown_id' ? 'warn' : 'info'](
      { user: interaction.user, kind: interaction.kind, ids: interaction.ids.map((id) => id.slice(0, 80)), reason: verdict },
      'slack interaction refused',
    );
    try {
      await refuse(services, args, body, interaction, refusalText(services, verdict, rule, interaction));
    } catch (err) {
      services.log.warn({ err: errorText(err), user: interaction.user }, 'slack: refusal not delivered');
    }
  };
}

type Ack = (response?: object) => Promise<void>;

async function refuse(services: Services, args: AnyMiddlewareArgs & AllMiddlewareArgs, body: Body, interaction: Interaction, text: string): Promise<void> {
  const ack = 'ack' in args && typeof args.ack === 'function' ? (args.ack as Ack) : null;
  switch (interaction.kind) {
    case 'subcommand':
      await ack?.();
      await (args as unknown as { respond: (m: object) => Promise<unknown> }).respond({ response_type: 'ephemeral', text });
      return;
    case 'view_submission': {
      // A field error keeps the modal open with the reason; a view without inputs can carry none, so it closes.
      const firstBlock = Object.keys((body.view as { state?: { values?: object } } | undefined)?.state?.values ?? {})[0];
      if (firstBlock) return void (await ack?.({ response_action: 'errors', errors: { [firstBlock]: fieldError(text) } }));
      await ack?.();
      await services.slack.directMessage(interaction.user, { text });
      return;
    }
    case 'block_actions': {
      await ack?.();
      const channel = (body.channel as { id?: string } | undefined)?.id;
      // A button in a modal or the Home tab has no channel: the refusal goes to the clicker's DM with the bot.
      if (channel) await args.client.chat.postEphemeral({ channel, user: interaction.user, text });
      else await services.slack.directMessage(interaction.user, { text });
      return;
    }
    case 'block_suggestion':
      return void (await ack?.({ options: [] }));
    default:
      await ack?.();
  }
}

/** A modal's field error is plain text and short: the first sentence of the refusal, without the "Sorry, ". */
function fieldError(text: string): string {
  const sentence = text
    .replace(/^Sorry, /, '')
    .replace(/<#[A-Z0-9]+>/g, 'the billing channel')
    .split(/(?<=[.;])\s/)[0]!
    .replace(/;$/, '.');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** Every id the app registered a listener for, per kind (`/invoices` subcommands are added by their listener). */
export type RegisteredInteractions = Record<InteractionKind, Set<string>>;

/**
 * Records the ids of every action, view and options listener registered on the app from now on, so
 * startup can check that each has a rule. Listener ids must be exact strings: a RegExp could match ids
 * the table has never heard of.
 */
export function recordRegistrations(app: App): RegisteredInteractions {
  const registered: RegisteredInteractions = { block_actions: new Set(), view_submission: new Set(), view_closed: new Set(), block_suggestion: new Set(), subcommand: new Set() };
  const idOf = (constraint: unknown, key: 'action_id' | 'callback_id'): string => {
    const id = typeof constraint === 'string' ? constraint : (constraint as Record<string, unknown> | null)?.[key];
    if (typeof id !== 'string') throw new Error(`Slack listeners need an exact ${key} (got ${String(constraint)}) so that authorize.ts can give it a role`);
    return id;
  };
  const wrap = <K extends 'action' | 'view' | 'options' | 'command'>(method: K, record: (constraint: unknown) => void) => {
    const original = app[method].bind(app) as (...a: unknown[]) => void;
    (app as unknown as Record<K, unknown>)[method] = (constraint: unknown, ...listeners: unknown[]) => {
      record(constraint);
      original(constraint, ...listeners);
    };
  };
  wrap('action', (c) => registered.block_actions.add(idOf(c, 'action_id')));
  wrap('options', (c) => registered.block_suggestion.add(idOf(c, 'action_id')));
  wrap('view', (c) => {
    const closed = typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'view_closed';
    registered[closed ? 'view_closed' : 'view_submission'].add(idOf(c, 'callback_id'));
  });
  wrap('command', (c) => {
    if (c !== INVOICES_COMMAND) throw new Error(`Slack command ${String(c)} has no authorization rules; only ${INVOICES_COMMAND} is dispatched by subcommand`);
  });
  return registered;
}

/** Ids registered without a rule, as "kind id": startup refuses to run with any (they would be refused at every click). */
export function unauthorizedRegistrations(registered: RegisteredInteractions, table = AUTHORIZATION): string[] {
  return (Object.keys(registered) as InteractionKind[]).flatMap((kind) => [...registered[kind]].filter((id) => !ruleFor(kind, id, table)).map((id) => `${kind} ${id}`));
}
