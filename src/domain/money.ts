/** Money is always integer minor units with its currency; formatting is the only place it becomes text. */
export interface Money {
  amount: number;
  currency: string;
}

export function formatMoney({ amount, currency }: Money): string {
  const digits =
    new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 10 ** digits);
}
