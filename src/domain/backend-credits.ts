/**
 * Which credits the back-end shows that duebot has not recorded yet. A credit counts once, by the
 * back-end's own id; duebot's own credits carry that id too, and for any recorded without it (before
 * ids were kept) the totals decide: only what the back-end credits beyond everything recorded is new.
 * Never more than the open balance. Minor units.
 */
export interface ShownCredits {
  /** Everything the back-end says was credited on the invoice. */
  amountCredited: number;
  /** The same one by one, when the back-end listed them. */
  credits?: readonly { id: string; amount: number }[];
}

export interface NewCredit {
  backendCreditId: string;
  amount: number;
}

export function unrecordedCredits(shown: ShownCredits, recorded: { total: number; ids: ReadonlySet<string> }, balance: number): NewCredit[] {
  let beyond = Math.min(shown.amountCredited - recorded.total, balance);
  if (beyond <= 0) return [];
  // Not listed one by one: the cumulative total is the key (the same total seen again is the same credit).
  const listed = shown.credits ?? [{ id: `total:${shown.amountCredited}`, amount: beyond }];
  const found: NewCredit[] = [];
  for (const credit of listed) {
    if (recorded.ids.has(credit.id) || credit.amount <= 0 || credit.amount > beyond) continue;
    found.push({ backendCreditId: credit.id, amount: credit.amount });
    beyond -= credit.amount;
  }
  return found;
}
