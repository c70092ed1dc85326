import { detectProvider, messageIds, parseHeaderBlock, parseMailgun, parsePostmark, parseSendgrid, verifyBasicAuth, verifyMailgun } from '../../src/email/inbound-formats.js';
import { hmacDigest } from '../../src/http/signatures.js';

const key = 'mg-key';
const now = new Date('2026-11-25T10:00:00Z');
const ts = String(Math.floor(now.getTime() / 1000));
const token = 'a'.repeat(50);
const good = hmacDigest('sha256', key, `${ts}${token}`, 'hex');

describe('Mailgun signature', () => {
  test.each<[string, Record<string, string>, boolean, string | null]>([
    ['the right signature', { timestamp: ts, token, signature: good }, true, null],
    ['upper-case hex', { timestamp: ts, token, signature: good.toUpperCase() }, true, null],
    ['another key', { timestamp: ts, token, signature: hmacDigest('sha256', 'other', `${ts}${token}`, 'hex') }, false, 'signature does not match'],
    ['a changed token', { timestamp: ts, token: `${token}b`, signature: good }, false, 'signature does not match'],
    [
      'a stale timestamp (replay)',
      { timestamp: String(Number(ts) - 3600), token, signature: hmacDigest('sha256', key, `${Number(ts) - 3600}${token}`, 'hex') },
      false,
      'stale timestamp',
    ],
    [
      'a timestamp from the future',
      { timestamp: String(Number(ts) + 3600), token, signature: hmacDigest('sha256', key, `${Number(ts) + 3600}${token}`, 'hex') },
      false,
      'timestamp is in the future',
    ],
    ['no signature', { timestamp: ts, token }, false, 'missing timestamp, token or signature'],
    ['a non-numeric timestamp', { timestamp: 'yesterday', token, signature: good }, false, 'timestamp is not a number of seconds'],
  ])('%s', (_name, fields, ok, reason) => {
    const verdict = verifyMailgun(key, fields, now);
    expect(verdict.ok).toBe(ok);
    if (reason) expect(verdict).toEqual({ ok: false, reason });
  });
});

describe('basic auth', () => {
  const header = (v: string) => `Basic ${Buffer.from(v).toString('base64')}`;
  test.each<[string, string | undefined, boolean]>([
    ['right credentials', header('user:pa:ss'), true],
    ['lower-case scheme', `basic ${Buffer.from('user:pa:ss').toString('base64')}`, true],
    ['wrong password', header('user:nope'), false],
    ['bearer scheme', 'Bearer abc', false],
    ['no header', undefined, false],
  ])('%s', (_name, value, ok) => {
    expect(verifyBasicAuth('user:pa:ss', value)).toBe(ok);
  });
});

describe('formats', () => {
  test('detection by content type and fields', () => {
    expect(detectProvider('application/json; charset=utf-8', null)).toBe('postmark');
    expect(detectProvider('multipart/form-data; boundary=x', { timestamp: '1', token: 't', signature: 's' })).toBe('mailgun');
    expect(detectProvider('multipart/form-data; boundary=x', { headers: 'From: a', envelope: '{}' })).toBe('sendgrid');
    expect(detectProvider('text/plain', null)).toBeNull();
    expect(detectProvider('application/x-www-form-urlencoded', { hello: 'x' })).toBeNull();
  });

  test('Mailgun: headers from message-headers, stripped text kept', async () => {
    const parsed = await parseMailgun({
      from: 'Maria <ap@acme.example>',
      subject: 'Re: Invoice #INV-0001',
      'body-plain': 'No.\n\nOn … wrote:\n> x',
      'stripped-text': 'No.',
      'message-headers': JSON.stringify([
        ['Message-Id', '<m1@acme.example>'],
        ['In-Reply-To', '<inv@pixel>'],
        ['References', '<a@pixel>\r\n <inv@pixel>'],
      ]),
    });
    expect(parsed).toEqual({
      ok: true,
      email: expect.objectContaining({
        provider: 'mailgun',
        messageId: '<m1@acme.example>',
        inReplyTo: '<inv@pixel>',
        references: ['<a@pixel>', '<inv@pixel>'],
        strippedText: 'No.',
        from: 'Maria <ap@acme.example>',
      }),
    });
    expect(await parseMailgun({ from: 'a@b.c', 'body-plain': 'x', 'message-headers': 'not json' })).toEqual({ ok: false, reason: 'message-headers is not JSON' });
  });

  test('Postmark: the sender Message-ID from Headers, Postmark’s own id only as a fallback', async () => {
    const base = { From: 'ap@acme.example', Subject: 'Re: x', TextBody: 'Body', StrippedTextReply: 'Body', MessageID: 'pm-1' };
    const withHeader = await parsePostmark({
      ...base,
      Headers: [
        { Name: 'Message-ID', Value: '<own@acme.example>' },
        { Name: 'In-Reply-To', Value: '<inv@pixel>' },
      ],
    });
    expect(withHeader.ok && withHeader.email).toMatchObject({ provider: 'postmark', messageId: '<own@acme.example>', inReplyTo: '<inv@pixel>', references: [] });
    const without = await parsePostmark({ ...base, Headers: [] });
    expect(without.ok && without.email.messageId).toBe('<pm-1@postmark.inbound>');
    expect(await parsePostmark({ Subject: 'x' })).toEqual({ ok: false, reason: 'missing From' });
    expect(await parsePostmark([1, 2])).toMatchObject({ ok: false });
    expect(await parsePostmark({ From: 'a@b.c', TextBody: '' })).toEqual({ ok: false, reason: 'missing text body' });
  });

  test('SendGrid: the raw header block is parsed (folded lines too)', async () => {
    const parsed = await parseSendgrid({
      headers: 'Message-ID: <sg@acme.example>\nIn-Reply-To: <inv@pixel>\nReferences: <a@pixel>\n\t<inv@pixel>\nAuto-Submitted: auto-replied',
      from: 'ap@acme.example',
      subject: 'Automatic reply',
      text: 'Away',
    });
    expect(parsed.ok && parsed.email).toMatchObject({
      provider: 'sendgrid',
      messageId: '<sg@acme.example>',
      references: ['<a@pixel>', '<inv@pixel>'],
      strippedText: null,
      headers: expect.objectContaining({ 'Auto-Submitted': 'auto-replied' }),
    });
  });

  test('the From header is parsed at ingest (one mailbox or none) and the subject kept on one line', async () => {
    const one = await parseSendgrid({ headers: '', from: 'Maria Lopez <Maria@Acme.example>', subject: 'Re: Invoice #INV-1\r\nBcc: x@evil.example', text: 'hi' });
    expect(one.ok && one.email).toMatchObject({
      from: 'Maria Lopez <Maria@Acme.example>',
      sender: { address: 'Maria@Acme.example', name: 'Maria Lopez' },
      replyAddress: 'Maria@Acme.example',
      fromEntries: 1,
      subject: 'Re: Invoice #INV-1 Bcc: x@evil.example',
    });
    const two = await parseMailgun({ from: 'M <m@x.example>, other@x.example', 'body-plain': 'hi' });
    expect(two.ok && two.email).toMatchObject({ sender: null, replyAddress: 'm@x.example', fromEntries: 2 });
  });

  test('a reply without a Message-ID gets a stable content id (so a retry still dedupes)', async () => {
    const fields = { from: 'a@b.c', subject: 's', text: 'hello', headers: 'Date: Mon, 9 Nov 2026 15:00:00 +0000' };
    const a = await parseSendgrid(fields);
    const b = await parseSendgrid(fields);
    expect(a.ok && a.email.messageId).toMatch(/^<[0-9a-f]{32}@duebot\.no-message-id>$/);
    expect(a.ok && b.ok && a.email.messageId === b.email.messageId).toBe(true);
  });

  test('helpers', () => {
    expect(messageIds('<a@b> junk <c@d>')).toEqual(['<a@b>', '<c@d>']);
    expect(messageIds(null)).toEqual([]);
    expect(parseHeaderBlock('Subject: a:b\r\nX-Y:  z ')).toEqual({ Subject: 'a:b', 'X-Y': 'z' });
  });
});
