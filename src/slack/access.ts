import { performance } from 'node:perf_hooks';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { errorText } from './notifier.js';

/**
 * Who may see what. Approvers (APPROVER_SLACK_USER_IDS) may do everything, including acting on money;
 * viewers (any member of the billing channel) may read: the read-only commands and the Home tab.
 * Everyone else is refused.
 */
export type Role = 'approver' | 'viewer' | 'outsider';

/** How long the billing channel's member list is trusted; joins and leaves clear it sooner. */
export const MEMBERS_TTL_MS = 60_000;

export class SlackAccess {
  private members: Set<string> | null = null;
  private loadedAt = 0;
  private loading: Promise<Set<string>> | null = null;
  /** Bumped by forget(): a load that began before a join or leave must not be cached as current. */
  private generation = 0;

  constructor(
    private readonly client: WebClient,
    private readonly settings: { billingChannelId: string; approverSlackUserIds: readonly string[] },
    private readonly log: Logger,
    private readonly ttlMs = MEMBERS_TTL_MS,
  ) {}

  isApprover(userId: string): boolean {
    return this.settings.approverSlackUserIds.includes(userId);
  }

  /** Throws when Slack cannot tell (e.g. the app lacks `channels:read`); approvers never need to ask. */
  async roleOf(userId: string): Promise<Role> {
    if (this.isApprover(userId)) return 'approver';
    return (await this.channelMembers()).has(userId) ? 'viewer' : 'outsider';
  }

  /** member_joined_channel / member_left_channel for the billing channel: the next check reloads. */
  forget(channelId?: string): void {
    if (channelId && channelId !== this.settings.billingChannelId) return;
    this.members = null;
    this.generation += 1;
  }

  private async channelMembers(): Promise<Set<string>> {
    if (this.members && performance.now() - this.loadedAt < this.ttlMs) return this.members;
    // Concurrent checks share one load; conversations.members is paged (cursor) and rate-limited (tier 4).
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<Set<string>> {
    const started = performance.now();
    const generation = this.generation;
    const members = new Set<string>();
    try {
      for await (const page of this.client.paginate('conversations.members', { channel: this.settings.billingChannelId, limit: 1000 })) {
        for (const id of (page as { members?: string[] }).members ?? []) members.add(id);
      }
    } catch (err) {
      this.log.error({ err: errorText(err), channel: this.settings.billingChannelId }, 'slack: billing channel members could not be read');
      throw err;
    }
    if (generation === this.generation) {
      this.members = members;
      this.loadedAt = started;
    }
    return members;
  }
}
