import type { Config } from '../../config.js';
import { createAsanaTool, type AsanaAuth } from './asana.js';
import { createClickUpTool } from './clickup.js';
import { createGenericTool } from './generic.js';
import { createMondayTool } from './monday.js';
import { createTrelloTool } from './trello.js';
import type { ProjectTool } from './tool.js';
import { unobservedCalls, type CallObservers } from '../call-observer.js';

/**
 * The configured project tools by name; a tool is present only when its credentials are set.
 * `doneStatuses`: statuses, lists or labels that clients' mappings call done, let through by the webhooks
 * besides each tool's own done rule (the read-back then decides per client).
 */
export function createProjectTools(
  config: Config,
  doneStatuses: string[] = [],
  observers: CallObservers = unobservedCalls,
  /** Asana's OAuth token source (src/providers/projects/asana-oauth.ts), which falls back to ASANA_ACCESS_TOKEN. */
  asanaAuth: AsanaAuth | null = null,
): Record<string, ProjectTool> {
  const tools: ProjectTool[] = [];
  if (config.asana.accessToken || asanaAuth) {
    tools.push(createAsanaTool({ accessToken: config.asana.accessToken, ...(asanaAuth ? { auth: asanaAuth } : {}), apiUrl: config.asana.apiUrl, observe: observers.for('asana') }));
  }
  if (config.clickup) tools.push(createClickUpTool({ ...config.clickup, doneStatuses, observe: observers.for('clickup') }));
  if (config.trello) tools.push(createTrelloTool({ ...config.trello, doneStatuses, observe: observers.for('trello') }));
  if (config.monday) tools.push(createMondayTool({ ...config.monday, doneStatuses, observe: observers.for('monday') }));
  if (config.generic) tools.push(createGenericTool(config.generic));
  return Object.fromEntries(tools.map((t) => [t.name, t]));
}

/** Who escalation tasks are assigned to in each tool (the owner's id there). */
export function ownerAssignees(config: Config): Record<string, string | null> {
  return {
    asana: config.asana.ownerAssignee,
    clickup: config.clickup?.ownerAssignee ?? null,
    trello: config.trello?.ownerMemberId ?? null,
    monday: config.monday?.ownerUserId ?? null,
  };
}
