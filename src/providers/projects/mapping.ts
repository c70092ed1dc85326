import { isYes, numericValue } from './http.js';
import type { MilestoneMapping } from '../../domain/types.js';
import type { ProjectTask } from './tool.js';

/**
 * How a client's tasks map to billing milestones (`MilestoneMapping`, from the clients file): every
 * adapter reduces its task JSON to `TaskFacts` and this one module reads them, so a client's mapping
 * works the same in every tool. Names compare case-insensitively, ignoring surrounding spaces.
 */
export type { MilestoneMapping };

export const DEFAULT_MAPPING: Readonly<MilestoneMapping> = Object.freeze({
  billingField: 'Billing milestone',
  billingTag: null,
  amountField: 'Amount',
  quantityField: 'Quantity',
  rateField: 'Rate',
  clientField: 'Client',
  doneStatus: null,
});

/** One custom field / column of a task, reduced to what a mapping can ask of it. */
export interface TaskField {
  name: string;
  /** Display text (option name for enums and drop-downs), or null when empty. */
  text: string | null;
  /** A number as the tool returned it, or a decimal string; null when not numeric. */
  number: number | string | null;
  /** Checked / "Yes" / "true" / "✓". */
  yes: boolean;
}

export interface TaskFacts {
  fields: TaskField[];
  /** Tags (Asana, ClickUp), labels (Trello), tags-column values (monday). */
  tags: string[];
  /** The status (ClickUp), list (Trello) or status labels (monday, one per status column); none in Asana. */
  statuses: string[];
  /** Done by the tool's own rule (Asana completed, ClickUp closed type, Trello Done list, monday done label). */
  doneByTool: boolean;
  /** Done whatever the status says (Trello's due date marked complete). */
  doneAnyway?: boolean;
  /** The tool's native milestone type (Asana milestone, ClickUp Milestone): counts when no billing field is on the task. */
  nativeMilestone: boolean;
}

/** A field as most tools give it: display text, optionally a raw number and an explicit checkbox state. */
export function taskField(name: string, text: string | null | undefined, extra: { number?: unknown; yes?: boolean } = {}): TaskField {
  const shown = text?.trim() || null;
  return { name, text: shown, number: numericValue(extra.number ?? shown), yes: extra.yes ?? isYes(shown) };
}

export const sameName = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** The task as read through a mapping: the fields every use case reads. */
export type MappedFields = Pick<ProjectTask, 'completed' | 'isBillingMilestone' | 'amount' | 'quantity' | 'rate' | 'clientName'>;

export function readFacts(facts: TaskFacts, mapping: MilestoneMapping = DEFAULT_MAPPING): MappedFields {
  const field = (name: string) => facts.fields.find((f) => sameName(f.name, name));
  const billing = field(mapping.billingField);
  const tagged = mapping.billingTag !== null && facts.tags.some((t) => sameName(t, mapping.billingTag));
  const done = facts.statuses.length && mapping.doneStatus !== null ? facts.statuses.some((s) => sameName(s, mapping.doneStatus)) : facts.doneByTool;
  return {
    completed: done || facts.doneAnyway === true,
    // Without the field (and no tag configured) the tool's own milestone type decides, as before mappings existed.
    isBillingMilestone: (billing?.yes ?? false) || tagged || (!billing && mapping.billingTag === null && facts.nativeMilestone),
    amount: field(mapping.amountField)?.number ?? null,
    quantity: field(mapping.quantityField)?.number ?? null,
    rate: field(mapping.rateField)?.number ?? null,
    clientName: field(mapping.clientField)?.text ?? null,
  };
}

/** An adapter's task: its own facts read with the default names (what a client without a mapping gets). */
export function taskWithFacts(base: Omit<ProjectTask, keyof MappedFields | 'facts'>, facts: TaskFacts): ProjectTask {
  return { ...base, ...readFacts(facts), facts };
}

/** The task as one client maps it; tasks without facts (the generic webhook) are already explicit. */
export function remapTask(task: ProjectTask, mapping: MilestoneMapping | undefined): ProjectTask {
  return task.facts && mapping ? { ...task, ...readFacts(task.facts, mapping) } : task;
}

/** The client a task names in a client's own client field (for clients whose field is not the default). */
export function clientFieldValue(task: ProjectTask, fieldName: string): string | null {
  return task.facts?.fields.find((f) => sameName(f.name, fieldName))?.text ?? null;
}
