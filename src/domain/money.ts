/** Money is always integer minor units with its currency; formatting is the only place it becomes text. */
import { numberFormat } from './intl';
export interface Money {
  amount: number;
  currency: string;
}

export function formatMoney({ amount, currency }: Money): string {
  const digits = numberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return numberFormat('en-US', { style: 'currency', currency }).format(amount / 10 ** digits);
}

/** How many minor units a currency's major unit has, as a power of ten (USD 2, JPY 0, BHD 3). */
export function minorUnitDigits(currency: string): number {
  return numberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export type MoneyParse = { ok: true; amount: number } | { ok: false; message: string };

const MAJOR_UNITS = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/;

/**
 * An amount as ops type it in the currency's major units ("1,200.50" dollars, "1200" yen) as integer
 * minor units, exactly: digits are shifted as text, never multiplied as a float (19.99 * 100 is
 * 1998.9999999999998). Commas only as thousands separators; no sign (prices are never negative); no
 * more decimals than the currency has.
 */
export function parseMajorUnits(text: string, currency: string): MoneyParse {
  const trimmed = text.trim();
  const match = MAJOR_UNITS.exec(trimmed);
  const digits = minorUnitDigits(currency);
  if (!match) {
    const example = digits === 0 ? '1200' : `1200.${'5'.padEnd(digits, '0')}`;
    return { ok: false, message: `must be an amount in ${currency} such as ${example}` };
  }
  const whole = (match[1] ?? '').replace(/,/g, '');
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return {
      ok: false,
      message: digits === 0 ? `${currency} has no minor units` : `must have at most ${digits} decimals in ${currency}`,
    };
  }
  const amount = Number(`${whole}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(amount)) return { ok: false, message: 'is too large' };
  return { ok: true, amount };
}

/** Integer minor units as the major-unit text parseMajorUnits reads back ("120000" USD -> "1200.00"). */
export function formatMajorUnits(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const text = String(amount).padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
