import type { TrackedTime } from '../../domain/time-lines.js';
import type { TaskFacts } from './mapping.js';

/** The port every project tool implements (Asana, ClickUp, Trello, monday.com, the generic webhook). */
export interface ProjectTool {
  /** The tool's name: the key in `services.projectTools`, the invoice's `source`, the inbox `source`. */
  readonly name: string;
  /** Reads a task back from the tool's API (webhooks carry ids only and are never trusted alone). */
  fetchTask(taskId: string): Promise<ProjectTask>;
  /**
   * Creates an escalation task assigned to the owner in the client's container (project, list, board).
   * Absent for tools duebot cannot write to (the generic webhook): escalation then skips the task.
   */
  createTask?(request: CreateTaskRequest): Promise<{ taskId: string; url: string | null }>;
  /**
   * Time tracked on a milestone and its subtasks (subtask entries carry the subtask's id and name).
   * Absent for tools without time tracking (Trello; the generic webhook sends its entries in the body).
   */
  fetchTimeEntries?(task: ProjectTask): Promise<TimeEntry[]>;
  /**
   * The tasks not yet completed in the given containers (Asana projects, ClickUp lists, Trello boards,
   * monday boards), facts included, for the forecast to pick the client's upcoming billing milestones from.
   * Absent when the tool cannot list tasks (the generic webhook): the forecast says so.
   */
  listOpenTasks?(containerIds: string[]): Promise<ProjectTask[]>;
  /** Verifies and maps the tool's webhook deliveries; mounted at `POST /webhooks/<name>` (Asana has its own route). */
  webhook?: TaskWebhook;
  /** Creates and deletes the tool's webhooks through its API (`/invoices connect <tool> <resource>`). */
  webhookRegistrar?: WebhookRegistrar;
}

/** A tool's webhook API. The handshake a tool makes during `create` reaches duebot before `create` returns. */
export interface WebhookRegistrar {
  /** What the resource is called in that tool, e.g. "project gid". */
  readonly resourceLabel: string;
  /** true: each webhook has its own signing secret (Asana's handshake, ClickUp's answer); false: an app-level one (Trello). */
  readonly perWebhookSecret: boolean;
  create(resource: string, targetUrl: string): Promise<{ webhookId: string; secret: string | null }>;
  /** Deletes the webhook; one the tool no longer knows counts as deleted. */
  remove(webhookId: string): Promise<void>;
}

/** A tool duebot can write escalation tasks to. */
export type WritableProjectTool = ProjectTool & { createTask: NonNullable<ProjectTool['createTask']> };

export interface ProjectTask {
  taskId: string;
  name: string;
  completed: boolean;
  completedAt: Date | null;
  url: string | null;
  /** The tool's containers holding the task (Asana projects, ClickUp lists, Trello boards, monday boards). */
  projectIds: string[];
  /** Custom field "Billing milestone" set to Yes (enum, checkbox-like enum or text), or a native milestone. */
  isBillingMilestone: boolean;
  /** Custom field "Amount" in major units, as the tool returned it (number or decimal string). */
  amount: number | string | null;
  quantity: number | string | null;
  rate: number | string | null;
  /** Text custom field "Client" (client id or name), when set. */
  clientName: string | null;
  /** Explicit lines (the generic webhook); when present they replace Amount / Quantity × Rate. */
  lines?: { description: string; quantity: string; unitAmount: string }[];
  /** Currency the lines are in, when the tool says (the generic webhook); must match the client's. */
  currency?: string;
  /** Due date (YYYY-MM-DD) when the tool has one. */
  dueOn?: string | null;
  /**
   * Everything the tool said about the task's fields, tags and status: a client's own mapping
   * (src/providers/projects/mapping.ts) re-reads the fields above from it. Absent for the generic webhook.
   */
  facts?: TaskFacts;
  /** Time entries sent with the milestone (the generic webhook); tools with an API answer `fetchTimeEntries`. */
  timeEntries?: TimeEntry[];
}

/** Time tracked on a milestone or one of its subtasks (the domain's shape). */
export type TimeEntry = TrackedTime;

export interface CreateTaskRequest {
  projectId: string;
  title: string;
  notes: string;
  /** The tool's user id or email of the assignee; null leaves it unassigned. */
  assignee: string | null;
  dueOn: string | null; // YYYY-MM-DD
}

/** One verified webhook request, as the router hands it to a tool. */
export interface WebhookRequest {
  method: 'HEAD' | 'POST';
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /**
   * The duebot registration the target URL's `?hook=` named (checked by the router): its own signing secret
   * (null for tools that sign with an app-level one) and its exact target URL. Absent: a webhook made by hand.
   */
  registration?: { secret: string | null; targetUrl: string };
}

/** A task event worth reading back: `externalId` dedupes deliveries in the inbox. */
export interface TaskEvent {
  externalId: string;
  taskId: string;
  /** The task itself when the delivery carries everything (the generic webhook) and there is no API to ask. */
  task?: ProjectTask;
}

export type WebhookOutcome =
  | { kind: 'reply'; status: number; body?: unknown } // a handshake or HEAD check, answered as is
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'malformed'; reason: string }
  | { kind: 'events'; events: TaskEvent[]; ignored: number };

export interface TaskWebhook {
  receive(request: WebhookRequest): WebhookOutcome | Promise<WebhookOutcome>;
}
