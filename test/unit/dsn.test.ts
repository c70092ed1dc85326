import { parseDeliveryReport } from '../../src/email/dsn.js';
import { bracketed, parseSendgridEvents, parsePostmarkBounce } from '../../src/email/bounce-webhooks.js';

const status = (...recipients: string[]) => ['Reporting-MTA: dns; mx.example', '', ...recipients].join('\r\n');
const recipient = (fields: Record<string, string>) =>
  `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n`;

describe('delivery status notifications (RFC 3464)', () => {
  test('permanent failures only, each with its status and diagnostic; the original Message-ID from the returned headers', () => {
    const report = parseDeliveryReport([
      {
        contentType: 'message/delivery-status',
        content: status(
          recipient({ 'Final-Recipient': 'rfc822; a@x.example', Action: 'failed', Status: '5.1.1', 'Diagnostic-Code': 'smtp; 550 5.1.1 unknown\r\n user' }),
          recipient({ 'Final-Recipient': 'rfc822; b@x.example', Action: 'delayed', Status: '4.4.7' }),
          recipient({ 'Original-Recipient': 'rfc822;<c@x.example>', Action: 'failed', Status: '5.2.2 (mailbox full)' }),
          recipient({ 'Final-Recipient': 'rfc822; not an address', Action: 'failed', Status: '5.1.1' }),
          recipient({ 'Final-Recipient': 'rfc822; d@x.example', Action: 'failed', Status: '4.2.2' }),
        ),
      },
      {
        contentType: 'text/rfc822-headers; charset=us-ascii',
        content: 'From: billing@pixel.example\r\nMessage-ID:\r\n <inv-1.invoice.abc@pixel.example>\r\n\r\nbody with Message-ID: <other@x>',
      },
    ]);
    expect(report).toEqual({
      originalMessageId: '<inv-1.invoice.abc@pixel.example>',
      failures: [
        { recipient: 'a@x.example', status: '5.1.1', diagnostic: '550 5.1.1 unknown user' },
        { recipient: 'c@x.example', status: '5.2.2', diagnostic: null },
      ],
    });
  });

  test('no delivery-status part: no report (an ordinary email); no returned headers: no Message-ID to match', () => {
    expect(parseDeliveryReport([{ contentType: 'text/rfc822-headers', content: 'Message-ID: <a@b>' }])).toBeNull();
    expect(
      parseDeliveryReport([
        { contentType: 'message/delivery-status', content: status(recipient({ 'Final-Recipient': 'rfc822; a@x.example', Action: 'failed', Status: '5.0.0' })) },
      ]),
    ).toEqual({
      originalMessageId: null,
      failures: [{ recipient: 'a@x.example', status: '5.0.0', diagnostic: null }],
    });
  });
});

describe('bounce webhook bodies', () => {
  test('Message-IDs are normalised to <…>; anything else is no id', () => {
    expect([bracketed('abc@x.example'), bracketed('<abc@x.example>'), bracketed('abc'), bracketed('<a b@x>'), bracketed(null)]).toEqual([
      '<abc@x.example>',
      '<abc@x.example>',
      null,
      null,
      null,
    ]);
  });

  test('SendGrid: bounce and dropped are bounces, blocked and other events are not; malformed events are refused', () => {
    const parsed = parseSendgridEvents([
      { event: 'bounce', type: 'bounce', email: 'a@x.example', sg_event_id: 'e1', 'smtp-id': '<m1@p>', status: '5.1.1', reason: 'unknown' },
      { event: 'bounce', type: 'blocked', email: 'b@x.example', sg_event_id: 'e2' },
      { event: 'dropped', email: 'c@x.example', sg_event_id: 'e3', reason: 'Bounced Address' },
      { event: 'open', email: 'd@x.example', sg_event_id: 'e4' },
    ]);
    expect(parsed).toEqual({
      ok: true,
      reports: [
        { kind: 'webhook', provider: 'sendgrid', dedupeKey: 'sendgrid:e1', messageId: '<m1@p>', recipient: 'a@x.example', reason: '5.1.1 unknown' },
        { kind: 'webhook', provider: 'sendgrid', dedupeKey: 'sendgrid:e3', messageId: null, recipient: 'c@x.example', reason: 'Bounced Address' },
      ],
    });
    expect(parseSendgridEvents({ event: 'bounce' })).toMatchObject({ ok: false, status: 400 });
    expect(parseSendgridEvents([{ event: 'bounce' }])).toMatchObject({ ok: false, status: 400 });
  });

  test('Postmark: hard bounces and deactivated addresses count, soft bounces and other record types do not', () => {
    const base = { RecordType: 'Bounce', ID: 7, Email: 'a@x.example', Metadata: { 'duebot-message-id': '<m@p>' }, Description: 'Unknown user', Details: 'smtp;550' };
    expect(parsePostmarkBounce({ ...base, Type: 'HardBounce' })).toMatchObject({
      ok: true,
      reports: [{ dedupeKey: 'postmark:7', messageId: '<m@p>', reason: 'Unknown user: smtp;550' }],
    });
    expect(parsePostmarkBounce({ ...base, Type: 'SoftBounce', Inactive: false })).toEqual({ ok: true, reports: [] });
    expect(parsePostmarkBounce({ ...base, Type: 'SoftBounce', Inactive: true }).ok && parsePostmarkBounce({ ...base, Type: 'SoftBounce', Inactive: true })).toMatchObject({
      reports: [{ recipient: 'a@x.example' }],
    });
    expect(parsePostmarkBounce({ RecordType: 'Delivery', ID: 8 })).toEqual({ ok: true, reports: [] });
    expect(parsePostmarkBounce([])).toMatchObject({ ok: false, status: 400 });
  });
});
