import type { Config } from '../../config.js';
import { createAsanaTool } from './asana.js';
import type { ProjectTool } from './tool.js';

/** The configured project tools by name; a tool is present only when its credentials are set. */
export function createProjectTools(config: Config): Record<string, ProjectTool> {
  const tools: ProjectTool[] = [];
  if (config.asana.accessToken) tools.push(createAsanaTool({ accessToken: config.asana.accessToken, apiUrl: config.asana.apiUrl }));
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
