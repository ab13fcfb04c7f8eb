import { escapeHtml, telUrl, urlAttr } from '../html/escape';
import { pageHead } from './document';

export interface CancelledPageInput {
  operator: { name: string; phone?: string; email?: string };
}

/**
 * What the guest page becomes when a booking is cancelled: the link a guest saved still answers,
 * says the charter is off and whom to ask, and no longer shows who, when, or the crew.
 */
export function renderCancelledPage({ operator }: CancelledPageInput): string {
  const contact = [
    operator.phone ? `<a href="${urlAttr(telUrl(operator.phone))}">${escapeHtml(operator.phone)}</a>` : '',
    operator.email ? `<a href="${urlAttr(`mailto:${operator.email}`)}">${escapeHtml(operator.email)}</a>` : '',
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
${pageHead({ title: `Charter cancelled · ${operator.name}`, csp: "default-src 'none'" })}
<body>
<main>
<p>${escapeHtml(operator.name)}</p>
<h1>This charter has been cancelled</h1>
<p>${contact.length ? `Questions? Contact ${escapeHtml(operator.name)}: ${contact.join(' · ')}` : `Questions? Contact ${escapeHtml(operator.name)}.`}</p>
</main>
</body>
</html>
`;
}
