import express, { type Request, type Response } from 'express';
import { storeInboxEvent, type InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import type { ProjectTool, TaskWebhook } from '../providers/projects/tool.js';
import { processInBackground, type TaskChangedPayload } from '../usecases/process-inbox.js';
import { bodyBuffer, rawBody } from './raw-body.js';
import { hookToken, noteVerifiedDelivery, registeredWebhook } from '../usecases/registered-webhooks.js';

/**
 * `POST /webhooks/<tool>` (and `HEAD`, for Trello's check) for every configured project tool that
 * brings its own webhook receiver: the tool verifies and maps, this router answers, stores and acts.
 * Unknown or unconfigured tools fall through to the 404.
 */
export function projectWebhookRouter(services: Services): express.Router {
  const router = express.Router();
  const route = (req: Request, res: Response, next: express.NextFunction) => {
    const tool = services.projectTools[String(req.params.tool)];
    if (!tool?.webhook) return next();
    void receive(req, res, services, tool as ProjectTool & { webhook: TaskWebhook });
  };
  router.head('/webhooks/:tool', rawBody, route);
  router.post('/webhooks/:tool', rawBody, route);
  return router;
}

async function receive(req: Request, res: Response, services: Services, tool: ProjectTool & { webhook: TaskWebhook }): Promise<void> {
  const accepted: InboxEvent[] = [];
  try {
    // `?hook=` names a registration duebot made (src/usecases/connect-project-tool.ts): verified with its own
    // secret and URL, or refused. Without it, the tool's configured secret applies (a webhook made by hand).
    // (Trello's HEAD check during creation stores nothing and comes while the registration is still pending.)
    const registrar = req.method === 'POST' && req.query.hook !== undefined ? tool.webhookRegistrar : undefined;
    const registration = registrar ? await registeredWebhook(services, tool.name, hookToken(req.query), { pendingToo: !registrar.perWebhookSecret }) : null;
    if (registrar && !registration) {
      res.status(401).json({ error: 'unknown ?hook= registration' });
      return;
    }
    const outcome = await tool.webhook.receive({
      method: req.method === 'HEAD' ? 'HEAD' : 'POST', headers: req.headers, rawBody: bodyBuffer(req.body), ...(registration ? { registration } : {}),
    });
    if (registration && outcome.kind === 'events') await noteVerifiedDelivery(services, registration.token);
    if (outcome.kind === 'reply') {
      res.status(outcome.status);
      if (outcome.body === undefined) res.end();
      else res.json(outcome.body);
      return;
    }
    if (outcome.kind === 'unauthorized') {
      res.status(401).json({ error: outcome.reason });
      return;
    }
    if (outcome.kind === 'malformed') {
      res.status(400).json({ error: outcome.reason });
      return;
    }
    const now = services.clock.now();
    for (const event of outcome.events) {
      const payload: TaskChangedPayload = {
        taskId: event.taskId,
        tool: tool.name,
        ...(event.task ? { task: { ...event.task, completedAt: event.task.completedAt?.toISOString() ?? null } } : {}),
      };
      const stored = await storeInboxEvent(services.db.pool, { source: tool.name, externalId: event.externalId, kind: 'task_changed', payload }, now);
      if (stored) accepted.push(stored);
    }
    res.status(200).json({ accepted: accepted.length, duplicates: outcome.events.length - accepted.length, ignored: outcome.ignored });
  } catch (err) {
    services.log.error({ tool: tool.name, err: err instanceof Error ? err.message : String(err) }, 'webhook could not be stored');
    if (!res.headersSent) res.status(503).json({ error: 'temporarily unable to store the event; please retry' });
    return;
  }
  // Acted on after the response, in order, so the tool never waits on its own API, Slack or Stripe.
  processInBackground(services, accepted);
}
