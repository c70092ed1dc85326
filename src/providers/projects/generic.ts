import { z } from 'zod';
import { currencyExponent, MAX_AMOUNT_MINOR, MoneyError, multiply, normalizeCurrency, parseMinorUnits, parseQuantity } from '../../domain/money.js';
import { httpUrl } from '../../domain/web-url.js';
import { hmacDigest, safeEqual } from '../../http/signatures.js';
import { parseJson } from '../../http/raw-body.js';
import { header, ProjectToolError } from './http.js';
import type { ProjectTool, WebhookOutcome, WebhookRequest } from './tool.js';

/**
 * The generic webhook for any other tool (Zapier, Make, an in-house system): the signed body carries the
 * whole milestone, so there is no API to read back and none to write escalation tasks to.
 *
 *   POST /webhooks/generic
 *   X-Duebot-Signature: sha256=<hex HMAC-SHA256 of the raw body with GENERIC_WEBHOOK_SECRET>
 *   {"externalId": "zap-4711", "client": "acme", "milestone": "Milestone 2 - Design", "currency": "USD",
 *    "url": "https://tool.example/m/4711",
 *    "lines": [{"description": "Design", "quantity": "1", "unitAmount": "1500.00"}],
 *    "timeEntries": [{"task": "Wireframes", "person": "dana@agency.example", "hours": "2.5"}]}
 *
 * `externalId` deduplicates (one invoice per id, ever); `client` is a client id or name from the clients file.
 * `timeEntries` (optional; `lines` may then be left out) bill hours × rate for a client with `timeEntries` set.
 * A line that comes to nothing (0.0000001 × 10) or less, or amounts beyond 15 digits, get 400 with the reason.
 */
const amount = z.union([z.string().trim().min(1), z.number().finite()]).transform(String);
/** Decimal hours, at most 4 decimals (0.0001 h = 360 ms), turned into exact whole milliseconds. */
const hours = z.union([z.string().trim(), z.number().finite()]).transform((v, ctx) => {
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(String(v));
  const ms = match ? Number(match[1]) * 3_600_000 + Number((match[2] ?? '').padEnd(4, '0')) * 360 : 0;
  if (!match || ms <= 0 || !Number.isSafeInteger(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a positive number of hours with at most 4 decimals` });
    return z.NEVER;
  }
  return ms;
});
const body = z
  .strictObject({
    externalId: z.string().trim().min(1).max(200),
    client: z.string().trim().min(1),
    milestone: z.string().trim().min(1).max(500),
    currency: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        try {
          return normalizeCurrency(v);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${v}" is not an ISO 4217 currency code` });
          return z.NEVER;
        }
      }),
    /** A link back to the milestone; anything but an absolute http(s) URL (e.g. `javascript:`) is dropped, not refused. */
    url: z.string().max(2000).optional(),
    lines: z
      .array(z.strictObject({ description: z.string().trim().min(1), quantity: amount.default('1'), unitAmount: amount }))
      .min(1)
      .max(100)
      .optional(),
    timeEntries: z
      .array(z.strictObject({ task: z.string().trim().min(1).max(500).optional(), person: z.string().trim().min(1).max(200).optional(), hours }))
      .min(1)
      .max(1000)
      .optional(),
  })
  .refine((b) => b.lines || b.timeEntries, { message: 'needs lines, timeEntries or both', path: ['lines'] });

export const GENERIC_SIGNATURE_HEADER = 'x-duebot-signature';

/** The header value for a body: `sha256=<hex>`. */
export function signGenericBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${hmacDigest('sha256', secret, rawBody, 'hex')}`;
}

export function createGenericTool(options: { secret: string }): ProjectTool {
  return {
    name: 'generic',
    fetchTask(taskId) {
      // Never called: generic events carry their task. Failing loudly beats inventing one.
      return Promise.reject(new ProjectToolError(`generic webhook: task ${taskId} can only come in a delivery`, 'invalid', false));
    },
    webhook: { receive: (request) => receive(options.secret, request) },
  };
}

function receive(secret: string, request: WebhookRequest): WebhookOutcome {
  if (request.method !== 'POST') return { kind: 'reply', status: 405, body: { error: 'POST only' } };
  const signature = header(request.headers, GENERIC_SIGNATURE_HEADER);
  if (!signature || !safeEqual(signGenericBody(secret, request.rawBody), signature.trim().toLowerCase())) {
    return { kind: 'unauthorized', reason: signature ? 'X-Duebot-Signature does not match' : 'missing X-Duebot-Signature (sha256=<hex HMAC-SHA256 of the body>)' };
  }
  const json = parseJson(request.rawBody);
  if (!json.ok) return { kind: 'malformed', reason: json.reason };
  const parsed = body.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: 'malformed', reason: `${issue.path.join('.') || 'body'}: ${issue.message}` };
  }
  const m = parsed.data;
  const refused = m.lines ? linesProblem(m.lines, m.currency) : null;
  if (refused) return { kind: 'malformed', reason: refused };
  return {
    kind: 'events',
    ignored: 0,
    events: [
      {
        externalId: m.externalId,
        taskId: m.externalId,
        task: {
          taskId: m.externalId,
          name: m.milestone,
          completed: true,
          completedAt: null,
          url: httpUrl(m.url),
          projectIds: [],
          isBillingMilestone: true,
          amount: null,
          quantity: null,
          rate: null,
          clientName: m.client,
          ...(m.lines ? { lines: m.lines } : {}),
          ...(m.timeEntries
            ? {
                timeEntries: m.timeEntries.map((e) => ({
                  taskId: `${m.externalId}:${e.task ?? ''}`,
                  taskName: e.task ?? m.milestone,
                  person: { id: null, name: e.person ?? null, email: e.person?.includes('@') ? e.person : null },
                  durationMs: e.hours,
                })),
              }
            : {}),
          ...(m.currency ? { currency: m.currency } : {}),
        },
      },
    ],
  };
}

/** The finest minor unit duebot knows (three decimals: KWD, BHD...): what a line is judged in when the body names no currency. */
const FINEST_EXPONENT = 3;

/**
 * Why these lines can never be invoiced, or null. Without a currency the client's is not known yet, so
 * they are judged in the finest minor unit: a line refused here comes to nothing in every currency (one
 * that is only too small in the client's currency is flagged as "needs set-up" when it is drafted).
 */
function linesProblem(lines: readonly { quantity: string; unitAmount: string }[], currency: string | undefined): string | null {
  const exp = currency ? currencyExponent(currency) : FINEST_EXPONENT;
  const label = currency ?? 'any currency';
  let total = 0;
  for (const [i, l] of lines.entries()) {
    let amount: number;
    try {
      const unit = parseMinorUnits(l.unitAmount, exp, label);
      const quantity = parseQuantity(l.quantity);
      // Minor units × quantity, rounded to a whole minor unit; the code only labels errors, which say their own.
      amount = unit > 0 ? lineAmount(unit, quantity) : unit;
    } catch (err) {
      if (err instanceof MoneyError) return `lines.${i}: ${err.message}`;
      throw err;
    }
    if (amount <= 0) return `lines.${i}: ${l.quantity} × ${l.unitAmount} comes to nothing in ${label}; a line must come to at least one minor unit`;
    total += amount;
    if (total > MAX_AMOUNT_MINOR) return `lines: the lines add up to more than ${MAX_AMOUNT_MINOR.toLocaleString('en-US')} minor units`;
  }
  return null;
}

function lineAmount(unit: number, quantity: string): number {
  try {
    return multiply({ amount: unit, currency: 'XXX' }, quantity).amount;
  } catch {
    throw new MoneyError(`${quantity} × the unit amount is more than ${MAX_AMOUNT_MINOR.toLocaleString('en-US')} minor units`);
  }
}
