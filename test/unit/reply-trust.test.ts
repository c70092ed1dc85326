import { decideReplyAction, promiseDateProblem, type ReplyFacts } from '../../src/domain/reply-trust.js';

const base: ReplyFacts = {
  kind: 'dispute',
  promisedDate: null,
  answersOurEmail: false,
  sender: { address: 'ap@acme.example', entries: 1 },
  billingContacts: ['ap@acme.example', 'CFO@acme.example'],
  clientName: 'Acme',
  today: '2026-12-03',
  promiseMaxDays: 60,
};
const NOT_OURS = 'the reply does not answer one of our emails';

describe('decideReplyAction', () => {
  test('a billing contact acts, whatever the letter case; only the whole address counts', () => {
    expect(decideReplyAction(base)).toEqual({ act: true, basis: 'billing-contact' });
    expect(decideReplyAction({ ...base, sender: { address: 'cfo@ACME.example', entries: 1 } })).toEqual({ act: true, basis: 'billing-contact' });
    for (const address of ['xap@acme.example', 'ap@acme.example.evil.example', 'ap@acme.exampl']) {
      expect(decideReplyAction({ ...base, sender: { address, entries: 1 } })).toEqual({ act: false, reason: `the sender is not one of Acme's billing contacts and ${NOT_OURS}` });
    }
  });

  test('a reply to one of our emails acts from any sender, even with no usable From', () => {
    expect(decideReplyAction({ ...base, answersOurEmail: true, sender: { address: 'assistant@forwarder.example', entries: 1 } })).toEqual({
      act: true,
      basis: 'answers-our-email',
    });
    expect(decideReplyAction({ ...base, answersOurEmail: true, sender: { address: null, entries: 2 } })).toEqual({ act: true, basis: 'answers-our-email' });
  });

  test('a From line with several mailboxes or none is never the client', () => {
    expect(decideReplyAction({ ...base, sender: { address: null, entries: 2 } })).toEqual({
      act: false,
      reason: `the From line names 2 addresses, not one sender and ${NOT_OURS}`,
    });
    expect(decideReplyAction({ ...base, sender: { address: null, entries: 0 } })).toEqual({ act: false, reason: `the From line has no valid address and ${NOT_OURS}` });
    expect(decideReplyAction({ ...base, sender: { address: null, entries: 1 } })).toEqual({ act: false, reason: `the From line has no valid address and ${NOT_OURS}` });
  });

  test("a promise acts only for a date from today to PROMISE_MAX_DAYS ahead, and only when the reply is the client's", () => {
    const promise = (promisedDate: string, more: Partial<ReplyFacts> = {}) => decideReplyAction({ ...base, kind: 'promise', promisedDate, ...more });
    expect(promise('2026-12-03')).toEqual({ act: true, basis: 'billing-contact' });
    expect(promise('2027-02-01')).toEqual({ act: true, basis: 'billing-contact' }); // day 60
    expect(promise('2027-02-02')).toEqual({ act: false, reason: 'the promised date 2027-02-02 is more than 60 days away (after 2027-02-01)' });
    expect(promise('2099-12-31', { answersOurEmail: true })).toMatchObject({ act: false, reason: expect.stringContaining('more than 60 days away') });
    expect(promise('2027-02-02', { promiseMaxDays: 90 })).toEqual({ act: true, basis: 'billing-contact' });
    expect(promise('2026-12-02')).toEqual({ act: false, reason: 'the promised date 2026-12-02 is in the past' });
    // Provenance is told first: a stranger's promise is refused for who sent it.
    expect(promise('2026-12-10', { sender: { address: 'x@y.example', entries: 1 } })).toMatchObject({ act: false, reason: expect.stringContaining('billing contacts') });
  });
});

describe('promiseDateProblem', () => {
  test('bounds are inclusive', () => {
    expect(promiseDateProblem('2026-12-03', '2026-12-03', 1)).toBeNull();
    expect(promiseDateProblem('2026-12-04', '2026-12-03', 1)).toBeNull();
    expect(promiseDateProblem('2026-12-05', '2026-12-03', 1)).toMatch(/more than 1 days away/);
  });
});
