import Handlebars from 'handlebars';
import { closest, distance } from 'fastest-levenshtein';
import type { EmailTemplate } from './default-templates.js';
import { placeholdersOf, requiredPlaceholder, type TemplateKind, type TemplateValues } from './template-fields.js';

/**
 * Editable email templates: Handlebars syntax restricted to placeholders ({{number}}) and
 * {{#if name}} / {{#unless name}} … {{else}} … {{/if}} on known names. Checked when saved, so a stored
 * template always renders; the renderer still refuses anything else rather than guess.
 */
export const SUBJECT_MAX = 250;
export const BODY_MAX = 3000;

export interface TemplateErrors {
  subject?: string;
  body?: string;
}

/** An isolated instance: no helpers or partials registered anywhere else can leak in. */
const engine = Handlebars.create();
const COMPILE = { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers: { if: true, unless: true } } as const;

type Node = hbs.AST.Node;

/** Field errors in plain words, or {} when the template can be saved. */
export function validateTemplate(kind: TemplateKind, template: EmailTemplate): TemplateErrors {
  const errors: TemplateErrors = {};
  const known = Object.keys(placeholdersOf(kind));
  if (!template.subject.trim()) errors.subject = 'The subject is empty.';
  else if (template.subject.length > SUBJECT_MAX) errors.subject = `The subject is ${template.subject.length} characters; at most ${SUBJECT_MAX}.`;
  else if (/[\r\n]/.test(template.subject)) errors.subject = 'The subject must be one line.';
  else errors.subject = problemIn(template.subject, known) ?? undefined;
  if (!template.body.trim()) errors.body = 'The body is empty.';
  else if (template.body.length > BODY_MAX) errors.body = `The body is ${template.body.length} characters; at most ${BODY_MAX}.`;
  else errors.body = problemIn(template.body, known) ?? undefined;
  const required = requiredPlaceholder(kind);
  if (!errors.body && required && !usedNames(template.body).has(required) && !usedNames(template.subject).has(required)) {
    errors.body =
      required === 'link'
        ? 'Add {{link}}: this email exists to get the invoice paid, and without the payment link the client cannot pay in one click. Wrap it as {{#if link}}Pay now: {{link}}{{/if}} for back-ends without links.'
        : 'Add {{invoices}}: the statement exists to list the open invoices with their payment links.';
  }
  return Object.fromEntries(Object.entries(errors).filter(([, v]) => v)) as TemplateErrors;
}

/** The first problem in one field, or null. */
function problemIn(source: string, known: string[]): string | null {
  let ast: hbs.AST.Program;
  try {
    ast = engine.parse(source);
  } catch (err) {
    return parseProblem(err instanceof Error ? err.message : String(err));
  }
  return walk(ast.body, known);
}

function parseProblem(message: string): string {
  const line = /line (\d+)/.exec(message)?.[1] ?? /- (\d+):\d+/.exec(message)?.[1];
  const where = line ? ` on line ${line}` : '';
  const mismatch = /^(\w+) doesn't match (\w+)/.exec(message);
  if (mismatch) return `{{#${mismatch[1]}}} is closed by {{/${mismatch[2]}}}${where}: close it with {{/${mismatch[1]}}}.`;
  if (/got 'EOF'/.test(message)) return `Unbalanced braces${where}: a {{ or a {{#if …}} is never closed (every {{#if name}} needs its {{/if}}).`;
  return `Unbalanced braces${where}: placeholders are written {{name}}, with two braces on each side.`;
}

function walk(nodes: readonly Node[], known: string[]): string | null {
  for (const node of nodes) {
    const problem = check(node, known);
    if (problem) return problem;
  }
  return null;
}

function check(node: Node, known: string[]): string | null {
  const line = node.loc ? ` (line ${node.loc.start.line})` : '';
  switch (node.type) {
    case 'ContentStatement': {
      const text = (node as hbs.AST.ContentStatement).value;
      const stray = /[{}]/.exec(text);
      return stray ? `Unbalanced braces${line}: a stray "${stray[0]}" near "${snippet(text, stray.index)}". Placeholders are written {{name}}.` : null;
    }
    case 'CommentStatement':
      return null;
    case 'MustacheStatement': {
      const m = node as hbs.AST.MustacheStatement;
      if (m.params.length || m.hash?.pairs.length) return `{{${pathName(m.path)} …}}${line}: placeholders take no arguments.`;
      return nameProblem(m.path, known, line);
    }
    case 'BlockStatement': {
      const b = node as hbs.AST.BlockStatement;
      const helper = pathName(b.path);
      if (helper !== 'if' && helper !== 'unless') return `{{#${helper}}}${line} is not supported: use {{#if name}} … {{else}} … {{/if}} or {{#unless name}}.`;
      if (b.params.length !== 1 || b.hash?.pairs.length) return `{{#${helper}}}${line} needs exactly one placeholder name, e.g. {{#${helper} overdue}}.`;
      return nameProblem(b.params[0]!, known, line) ?? walk(b.program.body, known) ?? (b.inverse ? walk(b.inverse.body, known) : null);
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return `Partials ({{> …}})${line} are not supported.`;
    default:
      return `"${node.type}"${line} is not supported in email templates.`;
  }
}

function nameProblem(expr: hbs.AST.Expression, known: string[], line: string): string | null {
  const name = pathName(expr);
  const simple = expr.type === 'PathExpression' && (expr as hbs.AST.PathExpression).parts.length === 1 && !(expr as hbs.AST.PathExpression).data && !/^(\.|this)/.test(name);
  if (simple && known.includes(name)) return null;
  const nearest = closest(name.replace(/^[@./]+|^this\./, ''), known);
  const hint = nearest && distance(name, nearest) <= Math.max(3, Math.ceil(name.length / 2)) ? `did you mean {{${nearest}}}?` : `the nearest is {{${nearest}}}.`;
  return `Unknown placeholder {{${name}}}${line}: ${hint} Known: ${known.join(', ')}.`;
}

function pathName(expr: hbs.AST.Expression): string {
  if (expr.type === 'PathExpression') return (expr as hbs.AST.PathExpression).original;
  if (expr.type === 'SubExpression') return `(${pathName((expr as hbs.AST.SubExpression).path)} …)`;
  return String((expr as hbs.AST.Literal & { original?: unknown }).original ?? expr.type);
}

function snippet(text: string, at: number): string {
  return text
    .slice(Math.max(0, at - 12), at + 16)
    .replace(/\s+/g, ' ')
    .trim();
}

function usedNames(source: string): Set<string> {
  const names = new Set<string>();
  const visit = (nodes: readonly Node[]) => {
    for (const node of nodes) {
      if (node.type === 'MustacheStatement') names.add(pathName((node as hbs.AST.MustacheStatement).path));
      if (node.type === 'BlockStatement') {
        const b = node as hbs.AST.BlockStatement;
        visit(b.program.body);
        if (b.inverse) visit(b.inverse.body);
      }
    }
  };
  try {
    visit(engine.parse(source).body);
  } catch {
    // unparseable: reported by problemIn
  }
  return names;
}

/**
 * Renders one field. Throws on a template that does not validate (callers fall back to the default),
 * never on values: every placeholder of the kind is always present.
 */
export function renderField(kind: TemplateKind, source: string, values: TemplateValues): string {
  const problem = problemIn(source, Object.keys(placeholdersOf(kind)));
  if (problem) throw new TemplateError(problem);
  return engine.compile(source, COMPILE)(values);
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Rendered once with markers in place of the values, so the HTML can escape the wording and the values separately. */
const MARK_OPEN = '\u0001';
const MARK_CLOSE = '\u0002';

/**
 * The HTML part from the same template as the text: the wording is HTML-escaped, each value is
 * replaced by its own HTML (`htmlOf`: escaped text, a link, a table), blank lines make paragraphs.
 */
export function renderHtmlBody(kind: TemplateKind, source: string, values: TemplateValues, htmlOf: (name: string, value: string) => string, blockNames: readonly string[]): string {
  const marked: TemplateValues = {};
  for (const [name, value] of Object.entries(values)) marked[name] = typeof value === 'string' && value ? `${MARK_OPEN}${name}${MARK_CLOSE}` : value;
  const withMarks = renderField(kind, source, marked);
  const fill = (html: string) => html.replace(new RegExp(`${MARK_OPEN}(\\w+)${MARK_CLOSE}`, 'g'), (_, name: string) => htmlOf(name, String(values[name] ?? '')));
  return withMarks
    .split(/\n[ \t]*\n+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const alone = blockNames.find((name) => p === `${MARK_OPEN}${name}${MARK_CLOSE}`);
      return alone ? fill(p) : `<p>${fill(escapeHtml(p).replace(/\n/g, '<br>\n'))}</p>`;
    })
    .join('\n');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
