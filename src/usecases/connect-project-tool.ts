import type { Services } from '../services.js';

/**
 * `/invoices connect <tool> <resource>` and `/invoices disconnect <tool> <resource>` for project tools:
 * duebot registers (or removes) its own webhook through the tool's API. Owned by the webhook
 * registration work (issue 8, part 2); the Slack dispatcher in src/slack/connect-commands.ts calls it.
 * Returns the text answered to the approver.
 */
export interface ProjectToolConnectRequest {
  tool: string;
  /** The tool's resource id: an Asana project gid, a ClickUp list id, a Trello board id, a monday board id. */
  resource: string;
  slackUserId: string;
}

export async function connectProjectTool(_services: Services, request: ProjectToolConnectRequest): Promise<string> {
  return `Connecting ${request.tool} from Slack is not available yet.`;
}

export async function disconnectProjectTool(_services: Services, request: ProjectToolConnectRequest): Promise<string> {
  return `Disconnecting ${request.tool} from Slack is not available yet.`;
}
