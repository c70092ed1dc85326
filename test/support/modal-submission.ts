/** A modal as duebot opened it (views.open), as far as the e2e tests read it. */
export type ModalElement = { type: string; action_id: string; initial_value?: string; initial_option?: { value: string }; initial_time?: string; initial_date?: string };
export type OpenedModal = {
  callback_id: string;
  private_metadata: string;
  submit?: unknown;
  blocks: { type: string; block_id?: string; element?: ModalElement; elements?: { text: string }[] }[];
};

/** What Slack submits for the modal as opened, with some inputs changed (block id → new value; null clears). */
export function submission(view: OpenedModal, edits: Record<string, string | null> = {}): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    const el = block.element;
    if (block.type !== 'input' || !el || !block.block_id) continue;
    const edited = Object.hasOwn(edits, block.block_id);
    const value = edits[block.block_id];
    if (el.type === 'static_select' || el.type === 'radio_buttons')
      values[block.block_id] = { [el.action_id]: { type: el.type, selected_option: edited ? (value ? { value } : null) : (el.initial_option ?? null) } };
    else if (el.type === 'timepicker') values[block.block_id] = { [el.action_id]: { type: el.type, selected_time: edited ? value : (el.initial_time ?? null) } };
    else if (el.type === 'datepicker') values[block.block_id] = { [el.action_id]: { type: el.type, selected_date: edited ? value : (el.initial_date ?? null) } };
    else values[block.block_id] = { [el.action_id]: { type: el.type, value: edited ? value : (el.initial_value ?? null) } };
  }
  return values;
}
