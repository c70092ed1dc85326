import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { homeNotAllowedView, homeView, type HomeView } from '../../blocks/home.js';
import { forgetHomeViewer, homeViewers, recordHomeViewer } from '../store/home-viewers.js';
import type { Services } from '../services.js';
import { homeDashboard, type HomeDashboard } from '../usecases/home-dashboard.js';
import type { SlackAccess } from './access.js';
import { errorText } from './notifier.js';

/** A burst of invoice changes (a sweep sending 50 reminders) republishes each Home tab once. */
export const HOME_REFRESH_DEBOUNCE_MS = 1500;

/**
 * The Home tab: published when a user opens it, republished (debounced) for everyone who has opened it
 * whenever an invoice changes. Slack is a view of the database: a failed publish is logged and the
 * change that caused it stands.
 */
export class HomeTab {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly services: Services,
    private readonly access: SlackAccess,
    private readonly client: WebClient,
    private readonly debounceMs = HOME_REFRESH_DEBOUNCE_MS,
  ) {}

  /** app_home_opened (Home tab): remembered (allowed users only), then published. */
  async opened(userId: string): Promise<void> {
    const role = await this.access.roleOf(userId);
    if (role === 'outsider') return this.publish(userId, homeNotAllowedView(this.services.settings.billingChannelId));
    await recordHomeViewer(this.services.db.pool, userId, this.services.clock.now());
    await this.publish(userId, homeView(await homeDashboard(this.services), { timezone: this.services.settings.timezone, approver: role === 'approver' }));
  }

  /** Called on every invoice change (and when someone leaves the channel); never throws, never waits. */
  refreshSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.running = this.refreshAll()
        .catch((err: unknown) => this.services.log.error({ err: errorText(err) }, 'home tab refresh failed'))
        .finally(() => {
          this.running = null;
          if (this.again) {
            this.again = false;
            this.refreshSoon();
          }
        });
    }, this.debounceMs);
  }

  /** Stops refreshing; waits for a refresh under way (the database closes next). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async refreshAll(): Promise<void> {
    const viewers = await homeViewers(this.services.db.pool);
    if (viewers.length === 0) return;
    let dashboard: HomeDashboard | null = null;
    for (const userId of viewers) {
      if (this.stopped) return;
      let role;
      try {
        role = await this.access.roleOf(userId);
      } catch {
        return; // membership unknown (logged by SlackAccess): keep the tabs as they are, next change tries again
      }
      if (role === 'outsider') {
        await this.publish(userId, homeNotAllowedView(this.services.settings.billingChannelId));
        await forgetHomeViewer(this.services.db.pool, userId);
        continue;
      }
      dashboard ??= await homeDashboard(this.services);
      await this.publish(userId, homeView(dashboard, { timezone: this.services.settings.timezone, approver: role === 'approver' }));
    }
  }

  private async publish(userId: string, view: HomeView): Promise<void> {
    try {
      await this.client.views.publish({ user_id: userId, view: view as never });
    } catch (err) {
      this.services.log.warn({ err: errorText(err), user: userId }, 'slack: home tab publish failed');
    }
  }
}

/** app_home_opened publishes the tab; joins and leaves of the billing channel refresh who may see it. */
export function registerHomeTab(app: App, services: Services, home: HomeTab): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    try {
      await home.opened(event.user);
    } catch (err) {
      services.log.error({ err: errorText(err), user: event.user }, 'home tab not published');
    }
  });
  app.event('member_joined_channel', async ({ event }) => {
    services.access.forget(event.channel);
  });
  app.event('member_left_channel', async ({ event }) => {
    services.access.forget(event.channel);
    // The leaver's tab still shows the figures: the refresh replaces it with the notice.
    if (event.channel === services.settings.billingChannelId) home.refreshSoon();
  });
}
