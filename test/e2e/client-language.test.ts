import { startHarness, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { INBOUND_AUTH, latin1Reply, multipart, postmarkRequest, rawMimeRequest, sendgridRawRequest } from '../support/fake-inbound.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { getInboundEmailByMessageId } from '../../src/store/inbound-emails.js';
import { saveTemplate } from '../../src/store/email-templates.js';
import type { ReceivedEmail } from '../support/fake-smtp.js';

/**
 * A German, a French and an English client through the real app: each gets the invoice and the
 * reminder in its own language and formats (Slack stays in English), and their replies arrive as
 * real MIME (encoded subject, quoted-printable ISO-8859-1 body) and are understood.
 */

const CLIENTS_YAML = `
clients:
  - id: kunde
    name: Kunde GmbH
    emails: ap@kunde.example
    currency: EUR
    paymentTermsDays: 14
    asanaProjects: ["4100"]
    autoSend: true
    locale: de
  - id: client-fr
    name: Client SARL
    emails: compta@client-fr.example
    currency: EUR
    paymentTermsDays: 14
    asanaProjects: ["4200"]
    autoSend: true
    locale: fr
  - id: acme
    name: Acme Ltd
    emails: ap@acme.example
    currency: USD
    paymentTermsDays: 14
    asanaProjects: ["4300"]
    autoSend: true
`;

let h: Harness;
const pool = () => h.bot.services.db.pool;
const invoices: Record<'de' | 'fr' | 'en', InvoiceRecord> = {} as never;
const emailTo = (address: string, subject: RegExp) => h.smtp.waitFor((m) => m.to.includes(address) && subject.test(m.subject));
/** Intl writes no-break spaces ("3.040,00\u00a0€", "1\u202f250"); compared as plain spaces. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

async function sentInvoice(gid: string, projectGid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount, projectGid })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', gid));
  return h.waitForStatus(draft.id, 'sent');
}

beforeAll(async () => {
  // Monday 4 January 2027, noon UTC: due dates fall on Monday 18 January.
  h = await startHarness({ clientsYaml: CLIENTS_YAML, startAt: new Date('2027-01-04T12:00:00Z') });
  // An edit made before languages existed is the English wording: it must not reach the German client.
  await saveTemplate(
    pool(),
    { scope: '*', kind: 'friendly', subject: 'Edited reminder for #{{number}}', body: 'Edited wording, {{amount}} due {{due_date}}. {{link}}', by: 'test' },
    h.clock.now(),
  );
  invoices.de = await sentInvoice('8101', '4100', 3040);
  invoices.fr = await sentInvoice('8201', '4200', 1250);
  invoices.en = await sentInvoice('8301', '4300', 3040);
});
afterAll(async () => h?.stop());

describe('emails in the client language', () => {
  let german: ReceivedEmail;

  test('the German client gets the German invoice email with German money and dates; Slack stays English', async () => {
    german = await emailTo('ap@kunde.example', /Rechnung/);
    expect(german.subject).toBe(`[Pixel & Co] Rechnung Nr. ${invoices.de.number} — Milestone 8101 — fällig am 18. Januar 2027`);
    expect(german.text).toContain('Guten Tag Kunde GmbH,');
    expect(spaced(german.text)).toContain('Rechnungsbetrag: 3.040,00 €');
    expect(german.text).toContain('Fällig am: 18. Januar 2027');
    expect(german.text).toContain('Mit freundlichen Grüßen');
    expect(german.html).toContain('<html lang="de">');
    expect(german.html).toContain('Jetzt bezahlen');
    const posts = h.slack.messages(BILLING_CHANNEL).map((m) => JSON.stringify(m.args));
    expect(posts.some((p) => p.includes(invoices.de.number) && p.includes('€3,040.00'))).toBe(true);
  });

  test('the English client is unchanged', async () => {
    const english = await emailTo('ap@acme.example', /Invoice #/);
    expect(english.subject).toBe(`[Pixel & Co] Invoice #${invoices.en.number} — Milestone 8301 — Due Jan 18, 2027`);
    expect(english.text).toContain('Amount due: $3,040.00');
    expect(english.html).toContain('<html lang="en">');
  });

  test('day 7: the German reminder is German (the English edit is not its wording); the English one uses the edit', async () => {
    h.advanceDays(7);
    const reminder = await emailTo('ap@kunde.example', /Erinnerung/);
    expect(reminder.subject).toBe(`[Pixel & Co] Erinnerung: Rechnung Nr. ${invoices.de.number} — fällig am 18. Januar 2027`);
    expect(spaced(reminder.text)).toContain(`Die Rechnung Nr. ${invoices.de.number} für „Milestone 8101“ (3.040,00 €) ist in 7 Tagen fällig, am 18. Januar 2027.`);
    expect(reminder.inReplyTo).toBe(invoices.de.emailMessageId);
    const french = await emailTo('compta@client-fr.example', /Rappel/);
    expect(spaced(french.text)).toContain('(1 250,00 €) arrive à échéance dans 7 jours, le 18 janvier 2027.');
    const english = await emailTo('ap@acme.example', /Edited reminder/);
    expect(english.text).toContain('Edited wording, $3,040.00 due Jan 18, 2027.');
  });
});

describe('replies in the client language', () => {
  test('a German promise as raw MIME (encoded subject, quoted-printable ISO-8859-1) snoozes to that date', async () => {
    const mime = latin1Reply({
      name: 'Jürgen Müller',
      address: 'ap@kunde.example',
      subject: `AW: Erinnerung: Rechnung Nr. ${invoices.de.number} — fällig`,
      messageId: '<de-8101@kunde.example>',
      inReplyTo: invoices.de.emailMessageId!,
      body: 'Guten Tag,\n\nwir überweisen am 15. Januar.\n\nMit freundlichen Grüßen\nJürgen Müller',
    }).toString('latin1');
    const res = await h.deliverEmail(sendgridRawRequest(mime, { from: 'ap@kunde.example', to: 'billing@pixelco.example' }));
    expect(res.status).toBe(200);
    const stored = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<de-8101@kunde.example>'));
    expect(stored).toMatchObject({ kind: 'promise', invoiceId: invoices.de.id, matchedBy: 'in-reply-to', subject: `AW: Erinnerung: Rechnung Nr. ${invoices.de.number} — fällig` });
    expect(stored.strippedText).toContain('wir überweisen am 15. Januar.');
    await h.slack.waitFor(async () => ((await getInvoice(pool(), invoices.de.id))?.snoozedUntil === '2027-01-15' ? true : undefined));
  });

  test('a French dispute (raw message/rfc822) is recognised and pauses the sequence', async () => {
    const mime = Buffer.from(
      [
        'From: Claire Dupont <compta@client-fr.example>',
        'Subject: =?ISO-8859-1?Q?Re=A0:_Rappel_:_facture?=',
        'Message-ID: <fr-8201@client-fr.example>',
        `In-Reply-To: ${invoices.fr.emailMessageId}`,
        'Content-Type: text/plain; charset=windows-1252',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Bonjour,',
        '',
        'Nous contestons cette facture : le montant est incorrect, nous avions convenu de 1 000 =80.',
        '',
      ].join('\r\n'),
      'latin1',
    );
    expect((await h.deliverEmail(rawMimeRequest(mime))).status).toBe(200);
    const stored = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<fr-8201@client-fr.example>'));
    expect(stored.strippedText).toContain('1 000 €');
    expect(stored.classification).toMatchObject({ kind: 'dispute', reason: 'amount' });
    await h.slack.waitFor(async () => ((await getInvoice(pool(), invoices.fr.id))?.disputed ? true : undefined));
  });

  test("SendGrid's parsed mode: a text field in ISO-8859-1 (named in charsets) is read in that charset", async () => {
    const req = multipart(
      {
        headers: `From: ap@acme.example\nSubject: Re: Invoice #${invoices.en.number}\nMessage-ID: <es-8301@acme.example>\nIn-Reply-To: ${invoices.en.emailMessageId}`,
        from: 'José Núñez <ap@acme.example>',
        subject: `Re: Invoice #${invoices.en.number}`,
        text: Buffer.from('¿Podrían enviarnos la factura con el número de pedido? Gracias, José Núñez', 'latin1'),
        envelope: JSON.stringify({ to: ['billing@pixelco.example'], from: 'ap@acme.example' }),
        charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'iso-8859-1' }),
      },
      {},
    );
    req.headers.authorization = `Basic ${Buffer.from(INBOUND_AUTH).toString('base64')}`;
    expect((await h.deliverEmail(req)).status).toBe(200);
    const stored = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<es-8301@acme.example>'));
    expect(stored).toMatchObject({ kind: 'question', strippedText: '¿Podrían enviarnos la factura con el número de pedido? Gracias, José Núñez' });
  });

  test('an English reply still reads as before (Postmark)', async () => {
    const res = await h.deliverEmail(
      postmarkRequest({
        from: 'ap@acme.example',
        subject: `RE: Invoice #${invoices.en.number}`,
        text: 'We will pay on the 15th.',
        messageId: '<en-8301@acme.example>',
        inReplyTo: invoices.en.emailMessageId,
      }),
    );
    expect(res.status).toBe(200);
    const stored = await h.slack.waitFor(() => getInboundEmailByMessageId(pool(), '<en-8301@acme.example>'));
    expect(stored.classification).toMatchObject({ kind: 'promise', promisedDate: '2027-01-15' });
  });
});
