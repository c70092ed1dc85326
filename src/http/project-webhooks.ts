import express, { type Request, type Response } from 'express';
import { storeInboxEvent, type InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import type { ProjectTool, TaskWebhook } from '../providers/projects/tool.js';
import type { TaskChangedPayload } from '../usecases/process-inbox.js';
import { ownValue } from '../own-key.js';
import { storeThenAct } from './store-then-act.js';
import { bodyBuffer, rawBody } from './raw-body.js';
import { hookToken, noteVerifiedDelivery, registeredWebhook } from '../usecases/registered-webhooks.js';
import { refreshDoneStatuses } from '../usecases/client-setup.js';

type WebhookTool = ProjectTool & { webhook: TaskWebhook };

/**
 * `POST /webhooks/<tool>` (and `HEAD`, for Trello's check) for every configured project tool that
 * brings its own webhook receiver: the tool verifies and maps, this router answers, stores and acts.
 * Any other name (`/webhooks/email`, an unconfigured tool, `__proto__`) passes on with its body unread,
 * so the route that owns it applies its own body limit; unknown names end at the 404.
 */
export function projectWebhookRouter(services: Services): express.Router {
  const router = express.Router();
  const configured: express.RequestHandler = (req, _res, next) => (webhookTool(services, String(req.params.tool)) ? next() : next('route'));
  const route = (req: Request, res: Response) => {
    const tool = webhookTool(services, String(req.params.tool))!;
    void storeThenAct(res, services, () => receive(req, res, services, tool), { tool: tool.name });
  };
  router.head('/webhooks/:tool', configured, rawBody, route);
  router.post('/webhooks/:tool', configured, rawBody, route);
  return router;
}

function webhookTool(services: Services, name: string): WebhookTool | null {
  const tool = ownValue(services.projectTools, name);
  return tool?.webhook ? (tool as WebhookTool) : null;
}

async function receive(req: Request, res: Response, services: Services, tool: WebhookTool): Promise<InboxEvent[]> {
  // `?hook=` names a registration duebot made (src/usecases/connect-project-tool.ts): verified with its own
  // secret and URL, or refused. Without it, the tool's configured secret applies (a webhook made by hand).
  // (Trello's HEAD check during creation stores nothing and comes while the registration is still pending.)
  const registrar = req.method === 'POST' && req.query.hook !== undefined ? tool.webhookRegistrar : undefined;
  const registration = registrar ? await registeredWebhook(services, tool.name, hookToken(req.query), { pendingToo: !registrar.perWebhookSecret }) : null;
  if (registrar && !registration) {
    res.status(401).json({ error: 'unknown ?hook= registration' });
    return [];
  }
  const delivery = {
    method: req.method === 'HEAD' ? ('HEAD' as const) : ('POST' as const),
    headers: req.headers,
    rawBody: bodyBuffer(req.body),
    ...(registration ? { registration } : {}),
  };
  let outcome = await tool.webhook.receive(delivery);
  // Done statuses saved in Slack, by this process or another, count for this delivery (a ClickUp, Trello or
  // monday status). Read only once the delivery proved authentic (events come only after the signature check):
  // a forged request costs no database read. When the list changed, the delivery is read again with it.
  if (outcome.kind === 'events' && (await refreshDoneStatuses(services))) outcome = await tool.webhook.receive(delivery);
  if (registration && outcome.kind === 'events') await noteVerifiedDelivery(services, registration.token);
  if (outcome.kind === 'reply') {
    res.status(outcome.status);
    if (outcome.body === undefined) res.end();
    else res.json(outcome.body);
    return [];
  }
  if (outcome.kind === 'unauthorized' || outcome.kind === 'malformed') {
    res.status(outcome.kind === 'unauthorized' ? 401 : 400).json({ error: outcome.reason });
    return [];
  }
  const now = services.clock.now();
  const accepted: InboxEvent[] = [];
  for (const event of outcome.events) {
    const payload: TaskChangedPayload = {
      taskId: event.taskId,
      tool: tool.name,
      ...(event.task ? { task: { ...event.task, completedAt: event.task.completedAt?.toISOString() ?? null } } : {}),
    };
    const stored = await storeInboxEvent(services.db.pool, { source: tool.name, externalId: event.externalId, kind: 'task_changed', payload }, now);
    if (stored) accepted.push(stored);
  }
  // Acted on after the response (by storeThenAct), so the tool never waits on its own API, Slack or Stripe.
  res.status(200).json({ accepted: accepted.length, duplicates: outcome.events.length - accepted.length, ignored: outcome.ignored });
  return accepted;
}
