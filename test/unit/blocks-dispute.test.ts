import { messageProblems, modalProblems } from '../../blocks/limits.js';
import { clientReplySentNote, disputeDm, disputedNote, promiseModal, replyModal, replyPost, replySubject, resolvedNote, snoozedNote } from '../../blocks/dispute.js';

const long = 'word '.repeat(2000);

describe('dispute blocks', () => {
  test('a matched dispute reply: quoted text, explanation, corrections (no "Mark disputed" on a dispute), within Slack limits', () => {
    const post = replyPost({
      inboundId: 7,
      from: 'ap@acme.example',
      subject: 'Re: Invoice',
      text: 'The amount <is> wrong\nsecond line',
      kind: 'dispute',
      explanation: 'Dispute (amount): the reply says "amount is wrong"',
      invoiceNumber: 'INV-0001',
      effect: 'reminders paused',
    });
    const json = JSON.stringify(post.blocks);
    expect(json).toContain('>The amount &lt;is&gt; wrong\\n>second line');
    expect(json).toContain('How duebot read it: Dispute (amount)');
    expect(json).toContain('reminders paused');
    expect(json).toContain('"action_id":"reply_not_dispute"');
    expect(json).toContain('"action_id":"reply_promise"');
    expect(json).toContain('"action_id":"reply_to_client"');
    expect(json).not.toContain('"action_id":"reply_mark_disputed"');
    expect(post.text).toMatch(/^Dispute from ap@acme\.example: The amount/);
    expect(messageProblems(post)).toEqual([]);
  });

  test('a question offers Mark disputed and Promise to pay; an unmatched reply only Reply to client', () => {
    const question = JSON.stringify(
      replyPost({ inboundId: 8, from: 'a', subject: 's', text: '?', kind: 'question', explanation: 'Question', invoiceNumber: 'INV-1', effect: null }).blocks,
    );
    expect(question).toContain('reply_mark_disputed');
    expect(question).not.toContain('reply_not_dispute');
    const unmatched = replyPost({ inboundId: 9, from: 'x@y.z', subject: 's', text: long, kind: 'other', explanation: 'x', invoiceNumber: null, effect: null });
    expect(JSON.stringify(unmatched.blocks)).toContain('matches no invoice');
    expect(JSON.stringify(unmatched.blocks).match(/"action_id":"[a-z_]+"/g)).toEqual(['"action_id":"reply_to_client"']);
    expect(messageProblems(unmatched)).toEqual([]);
  });

  test('a reply that was not acted on says why, offers every action, and shows the checked address before the display name', () => {
    const post = replyPost({
      inboundId: 10,
      from: '"Acme <ap@acme.example>" <mallory@evil.example>',
      sender: { address: 'mallory@evil.example', name: 'Acme <ap@acme.example>' },
      subject: 'Re: Invoice #INV-1',
      text: 'The amount is wrong',
      kind: 'dispute',
      explanation: 'Dispute (amount)',
      invoiceNumber: 'INV-1',
      effect: null,
      notActedOn: "the sender is not one of Acme's billing contacts and the reply does not answer one of our emails",
    });
    const json = JSON.stringify(post.blocks);
    expect(json).toContain("*Not acted on:* the sender is not one of Acme's billing contacts and the reply does not answer one of our emails.");
    expect(json).toContain('from *mallory@evil.example* (Acme &lt;ap@acme.example&gt;)');
    expect(json.match(/"action_id":"[a-z_]+"/g)).toEqual(['"action_id":"reply_mark_disputed"', '"action_id":"reply_promise"', '"action_id":"reply_to_client"']);
    expect(post.text).toMatch(/^Dispute \(not acted on\) from mallory@evil\.example:/);
    expect(messageProblems(post)).toEqual([]);

    const promise = JSON.stringify(
      replyPost({
        inboundId: 11,
        from: 'a@b.example, c@d.example',
        sender: null,
        subject: 's',
        text: 'We will pay on 2099-12-31',
        kind: 'promise',
        explanation: 'Promise',
        invoiceNumber: 'INV-1',
        effect: null,
        notActedOn: 'the promised date 2099-12-31 is more than 60 days away',
      }).blocks,
    );
    expect(promise).toContain('Snooze until the promised date');
    expect(promise).toContain('a@b.example, c@d.example _(not a single sender)_');
  });

  test('our reply subject is one line whatever the client sent', () => {
    expect(replySubject('Invoice #INV-1\r\nBcc: x@evil.example')).toBe('Re: Invoice #INV-1 Bcc: x@evil.example');
    expect(replySubject('RE:\tx\n')).toBe('RE: x');
    expect(JSON.stringify(replyModal({ inboundId: 1, to: 'm@x.example', subject: 's' }).blocks)).toContain('To: m@x.example');
  });

  test('notes and the DM stay within limits with long client text', () => {
    for (const m of [
      disputedNote({ by: 'U123ABC', reason: 'amount', pausedSteps: 2, taskUrl: 'https://app.asana.com/0/1/2', ownerUserId: 'UOWNER1' }),
      resolvedNote({ by: 'U123ABC', next: { at: new Date('2026-11-20T09:00:00Z'), label: 'the past-due notice' }, timezone: 'UTC' }),
      resolvedNote({ by: 'U123ABC', next: null, timezone: 'UTC' }),
      snoozedNote({ by: 'ap@acme.example', promisedDate: '2026-12-15', resumesAt: new Date('2026-12-16T09:00:00Z'), timezone: 'UTC' }),
      clientReplySentNote({ by: 'U123ABC', to: 'ap@acme.example', text: long }),
      disputeDm({ number: 'INV-1', clientName: 'Acme', reason: 'scope', excerpt: long, taskUrl: null }),
    ]) {
      expect(messageProblems(m)).toEqual([]);
    }
    expect(disputedNote({ by: 'email', reason: 'amount', pausedSteps: 1, taskUrl: null, ownerUserId: 'UOWNER1' }).text).toContain('1 reminder paused');
    expect(resolvedNote({ by: 'U123ABC', next: { at: new Date('2026-11-20T09:00:00Z'), label: 'the past-due notice' }, timezone: 'UTC' }).text).toContain(
      'next is the past-due notice on Nov 20, 2026',
    );
  });

  test('modals are valid and carry the reply id', () => {
    const promise = promiseModal({ inboundId: 12, initialDate: '2026-12-01' });
    const reply = replyModal({ inboundId: 12, to: 'ap@acme.example', subject: 'Invoice #INV-1' });
    expect(modalProblems(promise)).toEqual([]);
    expect(modalProblems(reply)).toEqual([]);
    expect([promise.private_metadata, reply.private_metadata]).toEqual(['12', '12']);
    expect(JSON.stringify(reply.blocks)).toContain('Re: Invoice #INV-1');
    expect(replySubject('RE: x')).toBe('RE: x');
  });
});
