/**
 * Escaping for the three places untrusted text lands in our HTML (guest page and ops email): element
 * text, double-quoted attribute values, and URLs in href/action. Every interpolation goes through one
 * of these; there is deliberately no "raw" helper.
 */

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Controls other than whitespace, noncharacters and lone surrogates are parse errors in HTML (the
 * parser drops NUL, a UTF-8 encoder turns a lone surrogate into U+FFFD): text from an email parser
 * can carry them, and they carry nothing a guest could read.
 */
const NOT_IN_HTML = /(?![\t\n\f\r])[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/gu;

/** Element text (including `<title>`): the five characters that can open markup or an entity. */
export function escapeHtml(text: string): string {
  return text.replace(NOT_IN_HTML, '').replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * A double-quoted attribute value. The same five characters suffice because we always quote with `"`;
 * backtick and `=` only matter for unquoted attributes, which we never write.
 */
export function escapeAttr(value: string): string {
  return escapeHtml(value);
}

/**
 * ASCII that a URL may not contain as it is (WHATWG URL: controls, space, " < > [ \ ] ^ ` { | }, and a
 * % that starts no escape). Browsers percent-encode them when they follow the link, so encoding them
 * here changes nothing a guest sees and keeps every href valid HTML, whatever a config file holds.
 */
const NOT_IN_URL = /[\u0000-\u0020"<>[\\\]^`{|}\u007f]|%(?![0-9a-fA-F]{2})/g;

function percentEncodeIllegal(url: string): string {
  // Brackets belong in a URL only around an IPv6 host, so there they stay.
  const hostEnd = /^https?:\/\/[^/?#]*/i.exec(url)?.[0].length ?? 0;
  return url.replace(NOT_IN_URL, (c: string, offset: number) =>
    (c === '[' || c === ']') && offset < hostEnd ? c : encodeURIComponent(c),
  );
}

/**
 * Only schemes that cannot run code or load local content pass; anything else (javascript:, data:,
 * vbscript:, relative paths that a <base> could redirect) becomes '#'. The check is on the literal
 * prefix: browsers strip tabs and newlines inside schemes ("java\tscript:"), so parsing leniently here
 * would be the bug, while rejecting such oddities costs nothing.
 */
export function safeUrl(url: string | undefined): string {
  if (url === undefined) return '#';
  const trimmed = url.trim();
  if (!/^(?:https?:\/\/[^\s/]|mailto:[^\s]|tel:[^\s])/i.test(trimmed)) return '#';
  return percentEncodeIllegal(trimmed);
}

/** A URL ready to sit inside `href="..."` or `action="..."`. */
export function urlAttr(url: string | undefined): string {
  return escapeAttr(safeUrl(url));
}

/** A dialable tel: URL from a phone number as people write it ("+1 (415) 555-0100" -> "tel:+14155550100"). */
export function telUrl(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}
