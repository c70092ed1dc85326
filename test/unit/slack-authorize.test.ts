import { App } from '@slack/bolt';
import { AUTHORIZATION, allows, recordRegistrations, ruleFor, unauthorizedRegistrations } from '../../src/slack/authorize.js';
import { subcommandOf } from '../../src/slack/share.js';

describe('the authorization table', () => {
  test('an id it does not name has no rule (deny by default), prototype names included', () => {
    expect(ruleFor('block_actions', 'approve_invoice')).toEqual({ needs: 'approver', what: 'approve and send invoices' });
    for (const id of ['', 'approve_invoice ', 'APPROVE_INVOICE', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(ruleFor('block_actions', id)).toBeNull();
      expect(ruleFor('subcommand', id)).toBeNull();
    }
    // An id is looked up only under its own kind: a modal's callback_id is no button.
    expect(ruleFor('view_submission', 'client_settings_modal')?.needs).toBe('approver');
    expect(ruleFor('block_actions', 'client_settings_modal')).toBeNull();
    expect(ruleFor('view_closed', 'client_settings_modal')).toBeNull();
  });

  test('reads need a billing-channel member, changes an approver, help nobody', () => {
    expect(ruleFor('block_actions', 'open_client_settings')?.needs).toBe('viewer');
    expect(ruleFor('block_actions', 'email_template_preview')?.needs).toBe('viewer');
    expect(ruleFor('block_actions', 'email_template_reset')?.needs).toBe('approver');
    expect(ruleFor('view_submission', 'client_settings_picker')?.needs).toBe('viewer');
    expect(ruleFor('subcommand', 'help')?.needs).toBe('anyone');
    for (const sub of ['connect', 'disconnect', 'pause', 'resume', 'remind', 'balance', 'import']) expect(ruleFor('subcommand', sub)?.needs).toBe('approver');
    // Nothing but help is open to everyone.
    const open = Object.entries(AUTHORIZATION).flatMap(([kind, rules]) =>
      Object.entries(rules)
        .filter(([, r]) => r.needs === 'anyone')
        .map(([id]) => `${kind} ${id}`),
    );
    expect(open).toEqual(['subcommand help']);
  });

  test('roles: outsiders pass only "anyone", viewers also "viewer", approvers everything', () => {
    expect([allows('anyone', 'outsider'), allows('viewer', 'outsider'), allows('approver', 'outsider')]).toEqual([true, false, false]);
    expect([allows('anyone', 'viewer'), allows('viewer', 'viewer'), allows('approver', 'viewer')]).toEqual([true, true, false]);
    expect([allows('anyone', 'approver'), allows('viewer', 'approver'), allows('approver', 'approver')]).toEqual([true, true, true]);
  });

  test('the subcommand is the first word, lower-cased, after a trailing "share"; none is help', () => {
    expect(subcommandOf('  AGING   share ')).toBe('aging');
    expect(subcommandOf('show INV-0042')).toBe('show');
    expect(subcommandOf('')).toBe('help');
    expect(subcommandOf('   ')).toBe('help');
  });
});

describe('registrations', () => {
  const app = () => new App({ token: 'xoxb-test', signingSecret: 'secret', tokenVerificationEnabled: false });
  const noop = async () => undefined;

  test('every exact id registered is recorded per kind; those without a rule are reported', () => {
    const slackApp = app();
    const registered = recordRegistrations(slackApp);
    slackApp.action('approve_invoice', noop);
    slackApp.action({ action_id: 'unlisted_button' }, noop);
    slackApp.view('client_settings_modal', noop);
    slackApp.view({ callback_id: 'client_settings_modal', type: 'view_closed' }, noop);
    slackApp.options({ action_id: 'client_search' }, noop);
    slackApp.command('/invoices', noop);
    registered.subcommand.add('aging').add('frobnicate');
    expect([...registered.block_actions]).toEqual(['approve_invoice', 'unlisted_button']);
    expect([...registered.view_closed]).toEqual(['client_settings_modal']);
    expect(unauthorizedRegistrations(registered)).toEqual([
      'block_actions unlisted_button',
      'view_closed client_settings_modal',
      'block_suggestion client_search',
      'subcommand frobnicate',
    ]);
  });

  test('a listener on a pattern or another slash command cannot be given a role and is refused at registration', () => {
    const slackApp = app();
    recordRegistrations(slackApp);
    expect(() => slackApp.action(/approve_.*/, noop)).toThrow(/exact action_id/);
    expect(() => slackApp.view({ type: 'view_closed' } as never, noop)).toThrow(/exact callback_id/);
    expect(() => slackApp.command('/other', noop)).toThrow(/no authorization rules/);
  });
});
