import { generateKeyPairSync } from 'node:crypto';
import { createSmtpMailer, MailError, newMessageId } from '../../src/providers/mail/smtp.js';
import type { Mailer } from '../../src/providers/mail/mailer.js';
import { startFakeSmtp, type FakeSmtp } from '../support/fake-smtp.js';
import { verifyDkim } from '../support/dkim-verify.js';

/** The SMTP mailer against a real (local) SMTP server: DKIM signatures that verify, and refusals per recipient. */

let smtp: FakeSmtp | undefined;
let mailer: Mailer | undefined;
afterEach(async () => {
  await mailer?.close();
  await smtp?.close();
  mailer = undefined;
  smtp = undefined;
});

const email = (n: number, to = ['ap@acme.example', 'cfo@acme.example']) => ({
  kind: 'invoice' as const,
  to,
  subject: `Invoice ${n} — café`,
  text: `Amount due: 1,200.00 USD  \n\nPay at https://pay.example/${n}\n\n\n`,
  html: `<p>Invoice ${n}</p>`,
  messageId: newMessageId('pixel.example', `inv-${n}.invoice`),
});

test('with DKIM settings every message carries a DKIM-Signature for our domain and selector whose body hash and signature verify against the public key', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  smtp = await startFakeSmtp();
  mailer = createSmtpMailer({
    url: smtp.url,
    from: 'Pixel & Co <billing@pixel.example>',
    dkim: { domainName: 'pixel.example', keySelector: 'duebot', privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() },
  });
  await mailer.send(email(1));
  const got = await smtp.waitFor((m) => m.subject.startsWith('Invoice 1'));
  const result = verifyDkim(got.raw, publicKey);
  expect(result.tags).toMatchObject({ v: '1', a: 'rsa-sha256', d: 'pixel.example', s: 'duebot' });
  expect(result.tags.h!.toLowerCase().split(':')).toEqual(expect.arrayContaining(['from', 'subject', 'message-id', 'to']));
  expect([result.bodyHashMatches, result.signatureVerifies]).toEqual([true, true]);

  // The check can fail: another key, or a body changed in transit, does not verify.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  expect(verifyDkim(got.raw, other).signatureVerifies).toBe(false);
  const tampered = Buffer.from(got.raw.toString('latin1').replace('1,200.00', '9,200.00'), 'latin1');
  expect(verifyDkim(tampered, publicKey).bodyHashMatches).toBe(false);
});

test('without DKIM settings no DKIM-Signature is added', async () => {
  smtp = await startFakeSmtp();
  mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
  await mailer.send(email(2));
  const got = await smtp.waitFor((m) => m.subject.startsWith('Invoice 2'));
  expect(got.headers['dkim-signature']).toBeUndefined();
});

test('a recipient refused for good while another accepts: sent, the refused one reported with its reply; all refused: a MailError naming each', async () => {
  smtp = await startFakeSmtp();
  smtp.rejectRecipient('cfo@acme.example', 550, '5.1.1 No such user here');
  mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
  const sent = await mailer.send(email(3));
  expect(sent.accepted).toEqual(['ap@acme.example']);
  expect(sent.refused).toEqual([{ address: 'cfo@acme.example', code: 550, reason: '550 5.1.1 No such user here' }]);

  smtp.rejectRecipient('ap@acme.example', 553, 'Mailbox name not allowed');
  const err = await mailer.send(email(4)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MailError);
  expect(err).toMatchObject({
    code: 'rejected',
    retryable: false,
    refused: [
      { address: 'ap@acme.example', code: 553 },
      { address: 'cfo@acme.example', code: 550 },
    ],
  });

  // A transient refusal (4yz) is no bounce: retried, never reported as refused.
  smtp.rejectRecipient('ap@acme.example', 450, 'Mailbox busy');
  const partly = await mailer.send(email(5, ['ap@acme.example', 'ok@acme.example']));
  expect(partly.refused).toBeUndefined();
});
