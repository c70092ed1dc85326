/**
 * Slack's documented Block Kit limits, checked on built JSON. Slack rejects a message that breaks
 * one (`invalid_blocks`), so the builders are tested against this and callers may assert before sending.
 */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  textInputValue: 3000,
  placeholder: 150,
  id: 255,
} as const;

type Obj = Record<string, unknown>;
const textOf = (o: unknown): string => (o && typeof o === 'object' && typeof (o as Obj).text === 'string' ? ((o as Obj).text as string) : '');

function checkMax(problems: string[], where: string, value: string, max: number): void {
  if (value.length > max) problems.push(`${where}: ${value.length} chars > ${max}`);
}

function checkElement(problems: string[], where: string, el: Obj): void {
  if (typeof el.action_id === 'string') checkMax(problems, `${where}.action_id`, el.action_id, LIMITS.id);
  if (el.type === 'button') {
    checkMax(problems, `${where}.text`, textOf(el.text), LIMITS.buttonText);
    if (typeof el.value === 'string') checkMax(problems, `${where}.value`, el.value, LIMITS.buttonValue);
  }
  if (el.type === 'plain_text_input') {
    const max = typeof el.max_length === 'number' ? el.max_length : LIMITS.textInputValue;
    if (typeof el.initial_value === 'string') checkMax(problems, `${where}.initial_value`, el.initial_value, max);
  }
  if (el.placeholder) checkMax(problems, `${where}.placeholder`, textOf(el.placeholder), LIMITS.placeholder);
  const confirm = el.confirm as Obj | undefined;
  if (confirm) {
    checkMax(problems, `${where}.confirm.title`, textOf(confirm.title), LIMITS.confirmTitle);
    checkMax(problems, `${where}.confirm.text`, textOf(confirm.text), LIMITS.confirmText);
    checkMax(problems, `${where}.confirm.confirm`, textOf(confirm.confirm), LIMITS.confirmButton);
    checkMax(problems, `${where}.confirm.deny`, textOf(confirm.deny), LIMITS.confirmButton);
  }
}

/** Every limit a list of blocks breaks, as readable strings; empty when all is well. */
export function blockProblems(blocks: readonly object[], maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  blocks.forEach((raw, i) => {
    const b = raw as Obj;
    const where = `blocks[${i}] (${String(b.type)})`;
    if (typeof b.block_id === 'string') checkMax(problems, `${where}.block_id`, b.block_id, LIMITS.id);
    switch (b.type) {
      case 'header':
        checkMax(problems, `${where}.text`, textOf(b.text), LIMITS.headerText);
        break;
      case 'section': {
        const fields = (b.fields as unknown[] | undefined) ?? [];
        if (!b.text && fields.length === 0) problems.push(`${where}: needs text or fields`);
        checkMax(problems, `${where}.text`, textOf(b.text), LIMITS.sectionText);
        if (fields.length > LIMITS.sectionFields) problems.push(`${where}: ${fields.length} fields > ${LIMITS.sectionFields}`);
        fields.forEach((f, j) => checkMax(problems, `${where}.fields[${j}]`, textOf(f), LIMITS.fieldText));
        if (b.accessory) checkElement(problems, `${where}.accessory`, b.accessory as Obj);
        break;
      }
      case 'context': {
        const elements = (b.elements as Obj[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.contextElements) problems.push(`${where}: ${elements.length} elements (1-${LIMITS.contextElements})`);
        elements.forEach((e, j) => checkMax(problems, `${where}.elements[${j}]`, textOf(e), LIMITS.sectionText));
        break;
      }
      case 'actions': {
        const elements = (b.elements as Obj[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.actionsElements) problems.push(`${where}: ${elements.length} elements (1-${LIMITS.actionsElements})`);
        elements.forEach((e, j) => checkElement(problems, `${where}.elements[${j}]`, e));
        break;
      }
      case 'input':
        checkMax(problems, `${where}.label`, textOf(b.label), LIMITS.inputLabel);
        if (b.hint) checkMax(problems, `${where}.hint`, textOf(b.hint), LIMITS.inputHint);
        if (b.element) checkElement(problems, `${where}.element`, b.element as Obj);
        break;
      default:
        break;
    }
  });
  return problems;
}

/** Limits of a message (`chat.postMessage` / `chat.update`), including the required `text` fallback. */
export function messageProblems(message: { text: string; blocks?: readonly object[] }): string[] {
  const problems = message.text.trim() ? [] : ['text fallback is empty'];
  return [...problems, ...blockProblems(message.blocks ?? [], LIMITS.messageBlocks)];
}

/** Limits of a modal (`views.open`). */
export function modalProblems(view: { title: object; submit?: object; close?: object; private_metadata?: string; callback_id?: string; blocks: readonly object[] }): string[] {
  const problems: string[] = [];
  checkMax(problems, 'title', textOf(view.title), LIMITS.modalTitle);
  if (view.submit) checkMax(problems, 'submit', textOf(view.submit), LIMITS.modalButton);
  if (view.close) checkMax(problems, 'close', textOf(view.close), LIMITS.modalButton);
  if (view.private_metadata) checkMax(problems, 'private_metadata', view.private_metadata, LIMITS.privateMetadata);
  if (view.callback_id) checkMax(problems, 'callback_id', view.callback_id, LIMITS.id);
  if (!view.submit && view.blocks.some((b) => (b as Obj).type === 'input')) problems.push('a modal with input blocks needs a submit button');
  return [...problems, ...blockProblems(view.blocks, LIMITS.modalBlocks)];
}
