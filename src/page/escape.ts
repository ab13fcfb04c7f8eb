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

/** Element text (including `<title>`): the five characters that can open markup or an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * A double-quoted attribute value. The same five characters suffice because we always quote with `"`;
 * backtick and `=` only matter for unquoted attributes, which we never write.
 */
export function escapeAttr(value: string): string {
  return escapeHtml(value);
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
  return /^(?:https?:\/\/[^\s/]|mailto:[^\s]|tel:[^\s])/i.test(trimmed) ? trimmed : '#';
}

/** A URL ready to sit inside `href="..."` or `action="..."`. */
export function urlAttr(url: string | undefined): string {
  return escapeAttr(safeUrl(url));
}
