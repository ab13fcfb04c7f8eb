/**
 * Intl formatters, made once per locale and options. Making one costs far more than using one (a
 * locale and time-zone lookup in ICU): the pipeline benchmark's worker profile had `localTime` and
 * `formatMoney`, which made two each per call, as its two most expensive functions of ours. They are
 * pure, so one per key serves every caller, the workflow sandbox's included. Zones and currencies are
 * few; a key that Intl refuses (RangeError) is not kept.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function memo<F>(cache: Map<string, F>, locale: string, options: object, make: () => F): F {
  const key = `${locale} ${JSON.stringify(options)}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = make();
    cache.set(key, found);
  }
  return found;
}

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return memo(dateTimeFormats, locale, options, () => new Intl.DateTimeFormat(locale, options));
}

export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return memo(numberFormats, locale, options, () => new Intl.NumberFormat(locale, options));
}
