import { detectProvider, parseMailgun, parsePostmark, parseRawMime, parseSendgrid } from '../../src/email/inbound-formats.js';
import { parseDeliveryReport } from '../../src/email/dsn.js';
import { latin1Reply } from '../support/fake-inbound.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const CRLF = (lines: string[]) => lines.join('\r\n');

/** A German reply as Outlook sends it: encoded subject and display name, a quoted-printable ISO-8859-1 body. */
const GERMAN_REPLY = latin1Reply({
  name: 'Müller, Jürgen',
  address: 'j.mueller@kunde.example',
  subject: 'AW: Rechnung Nr. INV-0001 — Zahlung',
  messageId: '<r1@kunde.example>',
  inReplyTo: '<inv-0001@pixelco.example>',
  references: ['<a@pixelco.example>', '<inv-0001@pixelco.example>'],
  body: 'Guten Tag,\n\nwir überweisen am 15. Januar. Grüße\n',
});

describe('whole emails (raw MIME) from every provider', () => {
  test('SendGrid raw mode: encoded words decoded, quoted-printable ISO-8859-1 body read as text', async () => {
    const parsed = await parseSendgrid({ email: GERMAN_REPLY.toString('latin1'), to: 'billing@pixelco.example' });
    expect(parsed.ok && parsed.email).toMatchObject({
      provider: 'sendgrid',
      messageId: '<r1@kunde.example>',
      subject: 'AW: Rechnung Nr. INV-0001 — Zahlung',
      inReplyTo: '<inv-0001@pixelco.example>',
      references: ['<a@pixelco.example>', '<inv-0001@pixelco.example>'],
      sender: { address: 'j.mueller@kunde.example', name: 'Müller, Jürgen' },
      fromEntries: 1,
      strippedText: null,
    });
    expect(parsed.ok && parsed.email.text).toContain('wir überweisen am 15. Januar. Grüße');
  });

  test('Mailgun body-mime and a raw message/rfc822 POST read the same email', async () => {
    const mailgun = await parseMailgun({ 'body-mime': GERMAN_REPLY.toString('latin1'), timestamp: '1', token: 't', signature: 's' });
    const raw = await parseRawMime(GERMAN_REPLY);
    expect(detectProvider('message/rfc822', null)).toBe('raw');
    for (const parsed of [mailgun, raw]) expect(parsed.ok && parsed.email.text).toContain('wir überweisen am 15. Januar');
    expect(raw.ok && raw.email.provider).toBe('raw');
  });

  test('a base64 Windows-1252 body keeps its euro sign and typographic quotes', async () => {
    const body = Buffer.from([...Buffer.from('Le montant est incorrect : 1 200 '), 0x80, ...Buffer.from(' au lieu de '), 0x93, ...Buffer.from('900'), 0x94]);
    const email = CRLF([
      'From: Claire <claire@client.example>',
      'Subject: =?windows-1252?Q?Re=A0: Facture n=B0 INV-0002?=',
      'Content-Type: text/plain; charset=windows-1252',
      'Content-Transfer-Encoding: base64',
      '',
      body.toString('base64'),
      '',
    ]);
    const parsed = await parseRawMime(Buffer.from(email, 'latin1'));
    expect(parsed.ok && parsed.email.text.trim()).toBe('Le montant est incorrect : 1 200 € au lieu de “900”');
    expect(parsed.ok && parsed.email.subject).toBe('Re\u00a0: Facture n° INV-0002');
  });

  test('an HTML-only reply is read as text', async () => {
    const email = CRLF(['From: a@client.example', 'Subject: Re: x', 'Content-Type: text/html; charset=utf-8', '', '<p>Nous paierons <b>le 3 mars</b>.</p>', '']);
    const parsed = await parseRawMime(Buffer.from(email));
    expect(parsed.ok && parsed.email.text.trim()).toBe('Nous paierons le 3 mars.');
  });

  test('a delivery report in raw MIME brings its report parts; other attachments are dropped', async () => {
    const email = CRLF([
      'From: MAILER-DAEMON@mx.client.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn1@mx.client.example>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Delivery failed.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.client.example',
      '',
      'Final-Recipient: rfc822; gone@client.example',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      'Message-ID: <inv-0001@pixelco.example>',
      '--b1',
      'Content-Type: application/octet-stream; name="evil.exe"',
      'Content-Disposition: attachment; filename="../../evil.exe"',
      'Content-Transfer-Encoding: base64',
      '',
      b64('MZ not for disk'),
      '--b1--',
      '',
    ]);
    const parsed = await parseRawMime(Buffer.from(email));
    expect(parsed.reportParts?.map((p) => p.contentType)).toEqual(['message/delivery-status', 'text/rfc822-headers']);
    expect(parseDeliveryReport(parsed.reportParts ?? [])).toEqual({
      originalMessageId: '<inv-0001@pixelco.example>',
      failures: [{ recipient: 'gone@client.example', status: '5.1.1', diagnostic: null }],
    });
  });

  test('something that is not an email is refused with a reason', async () => {
    expect(await parseRawMime(Buffer.from('just some words'))).toMatchObject({ ok: false, reason: 'missing sender (from)' });
  });
});

describe('headers of the field formats, decoded', () => {
  test('SendGrid parsed mode: the header block is decoded (an encoded subject, a folded References)', async () => {
    const parsed = await parseSendgrid({
      headers: `From: =?UTF-8?Q?Ana_Garc=C3=ADa?= <ana@cliente.example>\nSubject: =?UTF-8?B?${b64('RE: Factura n.º INV-0003')}?=\nMessage-ID: <sg2@cliente.example>\nReferences: <a@x>\n\t<b@x>`,
      text: 'Pagaremos el 3 de marzo.',
    });
    expect(parsed.ok && parsed.email).toMatchObject({
      subject: 'RE: Factura n.º INV-0003',
      references: ['<a@x>', '<b@x>'],
      sender: { address: 'ana@cliente.example', name: 'Ana García' },
    });
  });

  test('Mailgun and Postmark header pairs are decoded, and a line break in a value never makes a header', async () => {
    const mailgun = await parseMailgun({
      from: 'a@client.example',
      'body-plain': 'x',
      'message-headers': JSON.stringify([
        ['Subject', '=?UTF-8?Q?R=C3=A9ponse_automatique?='],
        ['X-Note', 'fine\r\nAuto-Submitted: auto-replied'],
      ]),
    });
    expect(mailgun.ok && mailgun.email.headers).toMatchObject({ Subject: 'Réponse automatique', 'X-Note': 'fine Auto-Submitted: auto-replied' });
    expect(mailgun.ok && mailgun.email.headers['Auto-Submitted']).toBeUndefined();
    expect(mailgun.ok && mailgun.email.subject).toBe('Réponse automatique');
    const postmark = await parsePostmark({ From: 'a@client.example', TextBody: 'x', Headers: [{ Name: 'Subject', Value: '=?UTF-8?B?' + b64('Abwesenheitsnotiz') + '?=' }] });
    expect(postmark.ok && postmark.email.headers.Subject).toBe('Abwesenheitsnotiz');
  });
});
