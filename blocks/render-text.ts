/** Block Kit as readable plain text, for the demo's console timeline and for logs. */
type Obj = Record<string, unknown>;

const EMOJI: Record<string, string> = {
  warning: '⚠️',
  white_check_mark: '✅',
  email: '📧',
  bell: '🔔',
  rotating_light: '🚨',
  link: '🔗',
  hourglass_flowing_sand: '⏳',
  no_entry_sign: '🚫',
  x: '❌',
  tada: '🎉',
  zzz: '💤',
  double_vertical_bar: '⏸️',
  outbox_tray: '📤',
  heavy_minus_sign: '➖',
  pencil2: '✏️',
  wastebasket: '🗑️',
  speech_balloon: '💬',
  receipt: '🧾',
};

/** Slack mrkdwn → plain text: links as `label (url)`, mentions as `@U123`, entities decoded, bold markers dropped. */
export function mrkdwnToText(text: string): string {
  return (
    text
      .replace(/<([a-z][a-z0-9+.-]*:[^|>]+)\|([^>]+)>/gi, '$2 ($1)')
      .replace(/<([a-z][a-z0-9+.-]*:[^|>]+)>/gi, '$1')
      .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
      .replace(/<#[A-Z0-9]+\|([^>]+)>/g, '#$1')
      .replace(/<!(here|channel|everyone)>/g, '@$1')
      .replace(/(^|[\s(_])\*([^*\n]+)\*(?=$|[\s).,:;!?_—])/gm, '$1$2')
      // Unknown names stay as `:name:` rather than vanish (and times such as 10:30:00 are left alone).
      .replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole)
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  );
}

const textOf = (o: unknown): string => (o && typeof o === 'object' && typeof (o as Obj).text === 'string' ? ((o as Obj).text as string) : '');
const render = (o: unknown): string => ((o as Obj | undefined)?.type === 'plain_text' ? textOf(o) : mrkdwnToText(textOf(o)));

function elementText(el: Obj): string {
  switch (el.type) {
    case 'button':
      return `[${textOf(el.text)}]`;
    case 'image':
      return `[image: ${String(el.alt_text ?? '')}]`;
    case 'mrkdwn':
    case 'plain_text':
      return render(el);
    default:
      return `[${textOf(el.placeholder) || String(el.type)}]`;
  }
}

export const DIVIDER_TEXT = '────────────────';

/** Headers, sections (text, then fields as `Label: value | …`), context, dividers, actions as `[Label] [Label]`. */
export function blocksToText(blocks: readonly object[]): string {
  const out: string[] = [];
  for (const raw of blocks) {
    const block = raw as Obj;
    switch (block.type) {
      case 'header':
        out.push(`== ${textOf(block.text)} ==`);
        break;
      case 'section': {
        const accessory = block.accessory ? ` ${elementText(block.accessory as Obj)}` : '';
        if (block.text) out.push(render(block.text) + accessory);
        const fields = (block.fields as unknown[] | undefined) ?? [];
        if (fields.length) out.push(fields.map((f) => render(f).replace('\n', ': ').replace(/\n/g, ', ')).join(' | ') + (block.text ? '' : accessory));
        break;
      }
      case 'context':
        out.push(((block.elements as Obj[] | undefined) ?? []).map(elementText).join(' '));
        break;
      case 'divider':
        out.push(DIVIDER_TEXT);
        break;
      case 'actions':
        out.push(((block.elements as Obj[] | undefined) ?? []).map(elementText).join(' '));
        break;
      case 'input': {
        const el = (block.element as Obj | undefined) ?? {};
        const value = el.initial_value ?? el.initial_date ?? '';
        out.push(`${textOf(block.label)}: ${String(value)}`);
        break;
      }
      case 'image':
        out.push(`[image: ${String(block.alt_text ?? '')}]`);
        break;
      default:
        out.push(`(${String(block.type)})`);
    }
  }
  return out.join('\n');
}
