import type { Pricing } from './booking';
import type { Money } from './money';

export interface RevenueLine {
  label: string;
  amount: Money;
}

/**
 * What ops want to see in the summary: what the guest paid, line by line, and what reaches the
 * operator. Marketplaces differ in what they report, so absent lines are left out rather than shown as 0.
 */
export interface RevenueBreakdown {
  currency: string;
  lines: RevenueLine[];
  guestTotal: Money;
  /** What the marketplace pays the operator, when the source reports it. */
  payout?: Money;
  /** guestTotal - payout: the marketplace's share, when the payout is known. */
  marketplaceShare?: Money;
}

/** What the guest pays, line by line, with the label ops know each line by. */
export const GUEST_LINES: ReadonlyArray<[keyof Pricing, string]> = [
  ['base', 'Charter (base)'],
  ['captain', 'Captain'],
  ['fuel', 'Fuel'],
  ['serviceFee', 'Service fee'],
  ['tax', 'Tax'],
  ['tip', 'Tip'],
];

export function revenueBreakdown(pricing: Pricing): RevenueBreakdown {
  const { currency } = pricing;
  const money = (amount: number): Money => ({ amount, currency });
  const lines: RevenueLine[] = [];
  let total = 0;
  for (const [key, label] of GUEST_LINES) {
    const value = pricing[key];
    if (typeof value !== 'number') continue;
    lines.push({ label, amount: money(value) });
    total += value;
  }
  const breakdown: RevenueBreakdown = { currency, lines, guestTotal: money(total) };
  if (typeof pricing.payout === 'number') {
    breakdown.payout = money(pricing.payout);
    breakdown.marketplaceShare = money(total - pricing.payout);
  }
  return breakdown;
}
