import type { App } from '@slack/bolt';
import { WAIVE_LATE_FEE } from '../../blocks/late-fee.js';
import { esc } from '../../blocks/format.js';
import type { Services } from '../services.js';
import { onApproverAction } from './approver-action.js';
import { waiveLateFee } from '../usecases/late-fees.js';

/**
 * **Waive fee** on a late fee's thread note: approvers only, checked here as well as in authorize.ts,
 * whatever the button's origin (a forged click names any fee id); everyone else gets an ephemeral refusal.
 */
export function registerLateFeeActions(app: App, services: Services): void {
  onApproverAction(app, services, WAIVE_LATE_FEE, 'waive late fees', async ({ user, value: feeId, tell }) => {
    const result = await waiveLateFee(services, feeId, { slackUserId: user });
    if (result.outcome === 'refused') await tell(esc(result.reason));
  });
}
