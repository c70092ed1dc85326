/** The port every project tool implements (Asana now; Monday.com, ClickUp, Trello later). */
export interface ProjectTool {
  readonly name: string;
  /** Reads a task back from the tool's API (webhooks carry ids only and are never trusted alone). */
  fetchTask(taskId: string): Promise<ProjectTask>;
  /** Creates an escalation task assigned to the owner in the client's project. */
  createTask(request: CreateTaskRequest): Promise<{ taskId: string; url: string | null }>;
}

export interface ProjectTask {
  taskId: string;
  name: string;
  completed: boolean;
  completedAt: Date | null;
  url: string | null;
  projectIds: string[];
  /** Custom field "Billing milestone" set to Yes (enum, checkbox-like enum or text), or a native milestone. */
  isBillingMilestone: boolean;
  /** Custom field "Amount" in major units, as the tool returned it (number or decimal string). */
  amount: number | string | null;
  quantity: number | string | null;
  rate: number | string | null;
  /** Text custom field "Client" (client id or name), when set. */
  clientName: string | null;
}

export interface CreateTaskRequest {
  projectId: string;
  title: string;
  notes: string;
  /** The tool's user id or email of the assignee; null leaves it unassigned. */
  assignee: string | null;
  dueOn: string | null; // YYYY-MM-DD
}
