import { isPlainAddress, oneLine, parseFrom } from '../../src/email/from-header.js';

describe('parseFrom', () => {
  test.each<[string, { sender: { address: string; name: string } | null; replyAddress: string | null; fromEntries: number }]>([
    ['ap@acme.example', { sender: { address: 'ap@acme.example', name: '' }, replyAddress: 'ap@acme.example', fromEntries: 1 }],
    ['Maria Lopez <Maria@Acme.example>', { sender: { address: 'Maria@Acme.example', name: 'Maria Lopez' }, replyAddress: 'Maria@Acme.example', fromEntries: 1 }],
    ['"Lopez, Maria" <m@acme.example>', { sender: { address: 'm@acme.example', name: 'Lopez, Maria' }, replyAddress: 'm@acme.example', fromEntries: 1 }],
    ['ap@acme.example (Acme AP)', { sender: { address: 'ap@acme.example', name: 'Acme AP' }, replyAddress: 'ap@acme.example', fromEntries: 1 }],
    // Two mailboxes: never one sender; a reply goes to the first only.
    ['M <m@x.example>, other@x.example', { sender: null, replyAddress: 'm@x.example', fromEntries: 2 }],
    // A display name that looks like a billing address is only a name.
    ['"ap@acme.example" <evil@x.example>', { sender: { address: 'evil@x.example', name: 'ap@acme.example' }, replyAddress: 'evil@x.example', fromEntries: 1 }],
    ['"Acme, <ap@acme.example>" <evil@x.example>', { sender: { address: 'evil@x.example', name: 'Acme, <ap@acme.example>' }, replyAddress: 'evil@x.example', fromEntries: 1 }],
    // Nothing usable.
    ['', { sender: null, replyAddress: null, fromEntries: 0 }],
    ['Maria', { sender: null, replyAddress: null, fromEntries: 1 }],
    ['<>', { sender: null, replyAddress: null, fromEntries: 1 }],
    ['a@localhost', { sender: null, replyAddress: null, fromEntries: 1 }],
    // Groups are not mailboxes, even with one member.
    ['undisclosed-recipients:;', { sender: null, replyAddress: null, fromEntries: 1 }],
    ['Team: ap@acme.example;', { sender: null, replyAddress: null, fromEntries: 1 }],
    // A folded header is unfolded; an injected header line does not become a recipient.
    ['Maria\r\n <m@acme.example>', { sender: { address: 'm@acme.example', name: 'Maria' }, replyAddress: 'm@acme.example', fromEntries: 1 }],
    ['m@acme.example\r\nBcc: evil@x.example', { sender: null, replyAddress: null, fromEntries: 1 }],
  ])('%j', (header, expected) => {
    expect(parseFrom(header)).toEqual(expected);
  });

  test('addresses safe for a header: no quotes, spaces, brackets, commas or line breaks', () => {
    expect(isPlainAddress('first.last+tag@sub.acme.example')).toBe(true);
    for (const bad of ['"a b"@x.example', 'a@b', 'a@[127.0.0.1]', 'a@x.example\r\n', 'a,b@x.example', '<a@x.example>', `${'a'.repeat(250)}@x.example`])
      expect(isPlainAddress(bad)).toBe(false);
  });

  test('oneLine', () => {
    expect(oneLine(' Re: x\r\n\tBcc: y \u0000 ')).toBe('Re: x Bcc: y');
  });
});
