import { createHash } from 'node:crypto';
import type { ClientPageModel } from '../domain/client-page.js';
import { escapeHtml } from '../email/template-engine.js';

/**
 * The client page as one small HTML document: no script, one inline style allowed by its hash in the
 * Content-Security-Policy, every outside value escaped. Tables have captions and header scopes, the
 * colours pass WCAG AA, and it reads on a phone (the tables scroll sideways) and on paper.
 */
const STYLE = `
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#111827;background:#fff;margin:0 auto;max-width:960px;padding:16px;line-height:1.5}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 8px}
p.meta{color:#4b5563;margin:0 0 16px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;min-width:520px}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{padding:8px;border-bottom:1px solid #d1d5db;text-align:left;vertical-align:top}
th[scope=col]{background:#f3f4f6}
td.num,th.num{text-align:right;white-space:nowrap}
.overdue{color:#991b1b;font-weight:600}
a{color:#1d4ed8}
a.pay{display:inline-block;background:#1d3557;color:#fff;padding:6px 12px;border-radius:6px;text-decoration:none;font-weight:600}
a:focus{outline:3px solid #f59e0b;outline-offset:2px}
ul.totals{list-style:none;padding:0;margin:8px 0;font-size:1.1rem}
@media print{a.pay,.noprint{display:none}body{max-width:none}}
`.trim();

/** The CSP source that allows exactly this style block and nothing else. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export const CLIENT_PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH}; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`;

const e = escapeHtml;

/** `statementHref` is relative to the page, so the token is written only where the address already has it. */
export function clientPageHtml(page: ClientPageModel, statementHref: string): string {
  const t = page.text;
  const title = t.title(page.clientName);
  const openTable = page.open.length
    ? table(
        t.open,
        [t.invoice, t.description, t.amountDue, t.dueDate, t.daysOverdue, t.pay],
        page.open.map((r) => [
          e(r.number),
          e(r.description),
          e(r.balanceText),
          `<time datetime="${e(r.dueDate)}">${e(r.dueDateText)}</time>`,
          r.daysOverdue > 0 ? `<span class="overdue">${r.daysOverdue}</span>` : '0',
          r.payUrl ? `<a class="pay" href="${e(r.payUrl)}" rel="noopener noreferrer" aria-label="${e(t.payNow(r.number))}">${e(t.pay)}</a>` : '',
        ]),
        [2, 4],
      )
    : `<p>${e(t.noneOpen)}</p>`;
  const paidTable = page.paid.length
    ? table(
        t.paid,
        [t.invoice, t.description, t.amount, t.paidOn],
        page.paid.map((r) => [e(r.number), e(r.description), e(r.totalText), `<time datetime="${e(r.paidOn)}">${e(r.paidOnText)}</time>`]),
        [2],
      )
    : `<p>${e(t.nonePaid)}</p>`;
  const totals = page.totals.length ? `<ul class="totals">${page.totals.map((s) => `<li><strong>${e(t.totalDue)}: ${e(s.text)}</strong></li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="${e(page.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${e(title)} · ${e(page.businessName)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${e(title)}</h1>
<p class="meta">${e(page.businessName)} · ${e(t.asOf(page.asOfText))}</p>
${totals}
<h2 id="open">${e(t.open)}</h2>
${openTable}
<h2 id="paid">${e(t.paid)}</h2>
${paidTable}
<p class="noprint"><a href="${e(statementHref)}" download>${e(t.statement)}</a></p>
<p class="meta">${e(t.questions(page.businessName))}</p>
</main>
</body>
</html>
`;
}

/** Cells are HTML already; `numeric` columns are right-aligned. */
function table(caption: string, headers: string[], rows: string[][], numeric: number[]): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="num"' : '');
  const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${e(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td${cls(i)}>${c}</td>`)).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><caption>${e(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}
