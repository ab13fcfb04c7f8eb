import { escapeAttr, escapeHtml } from '../html/escape';

/**
 * The head every page we publish shares: not indexed, no referrer leaves it, and a Content-Security-
 * Policy that allows exactly what the page carries (`default-src 'none'` for a page without CSS or script).
 */
export function pageHead({ title, csp, style }: { title: string; csp: string; style?: string }): string {
  return `<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<title>${escapeHtml(title)}</title>${style === undefined ? '' : `\n<style>${style}</style>`}
</head>`;
}
