import type { StoredClient } from '../store/clients.js';
import type { InvoiceRecord } from '../store/invoices.js';
import type { CreateTaskRequest, ProjectTool } from '../providers/projects/tool.js';
import type { Services } from '../services.js';

/**
 * Where a task for the owner about this invoice goes (escalation, dispute review): the project tool
 * the milestone came from, in the client's first container there, assigned to the owner's account in
 * that tool. Null when that tool cannot create tasks or the client has no container in it.
 */
export function ownerTaskTarget(
  services: Services,
  invoice: InvoiceRecord,
  client: StoredClient,
): { tool: ProjectTool & Required<Pick<ProjectTool, 'createTask'>>; request: Pick<CreateTaskRequest, 'projectId' | 'assignee'> } | null {
  const tool = services.projectTools[invoice.source];
  const projectId = (invoice.source === 'asana' ? client.asanaProjectGids : (client.toolContainers?.[invoice.source] ?? []))[0];
  if (!tool?.createTask || !projectId) return null;
  const assignee = invoice.source === 'asana' ? services.settings.ownerAsanaAssignee : (services.settings.ownerAssignees?.[invoice.source] ?? null);
  return { tool: tool as ProjectTool & Required<Pick<ProjectTool, 'createTask'>>, request: { projectId, assignee } };
}
