import { createHash } from 'node:crypto';
import { escapeAttr, escapeHtml } from '../../html/escape';
import type { FieldError } from '../../domain/validation';
import { isWallClock } from '../../domain/wall-clock';

/**
 * The ops page's shared HTML: one stylesheet (inline, admitted by its hash in the CSP), the layout,
 * and form fields that show their errors beside them. Every interpolation of anything not a literal
 * here goes through escapeHtml/escapeAttr; paths are built from validated ids only.
 */

export const OPS_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f6f7f9;overflow-wrap:anywhere}
header{background:#0f3d5c;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
header a,header button{color:#fff}
.brand{margin:0;font-weight:700}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
nav form{margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:#0b57d0}
section,.card{background:#fff;border:1px solid #d5d9df;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
fieldset{border:1px solid #d5d9df;border-radius:.5rem;margin:0 0 1rem;padding:.5rem 1rem 1rem}
legend{font-weight:700;padding:0 .25rem}
.fields{display:grid;gap:.75rem 1rem;grid-template-columns:1fr}
@media (min-width:40rem){.fields{grid-template-columns:1fr 1fr}.wide{grid-column:1/-1}}
label{display:block;font-weight:600}
input,select,textarea{display:block;width:100%;font:inherit;padding:.5rem;border:1px solid #767676;border-radius:.25rem;background:#fff;color:#1b1b1b}
textarea{min-height:6rem}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border:2px solid #b00020}
.hint{margin:.25rem 0 0;color:#4a4f55;font-size:.9rem}
.error{margin:.25rem 0 0;color:#b00020;font-weight:600}
button{font:inherit;padding:.5rem 1rem;border-radius:.25rem;border:1px solid #0f3d5c;background:#0f3d5c;color:#fff;cursor:pointer}
header button{background:transparent;border-color:#fff}
button.danger{background:#a1001c;border-color:#a1001c}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1rem}
.flash{border-left:.3rem solid #1e7f3b;background:#eaf6ee;padding:.75rem 1rem;margin:0 0 1rem}
.alert{border-left:.3rem solid #b00020;background:#fdecee;padding:.75rem 1rem;margin:0 0 1rem}
.alert ul{margin:.25rem 0 0;padding-left:1.25rem}
ul.bookings{list-style:none;margin:0;padding:0}
ul.bookings li{padding:.5rem 0;border-top:1px solid #e3e6ea}
ul.bookings li:first-child{border-top:0}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:600}
dd{margin:0}
.muted{color:#4a4f55}
`;

/** What the CSP admits for the stylesheet above, computed from the very bytes sent. */
export const OPS_CSS_SHA256 = `sha256-${createHash('sha256').update(OPS_CSS).digest('base64')}`;

export const OPS_CSP = [
  "default-src 'none'",
  `style-src '${OPS_CSS_SHA256}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const text = escapeHtml;
export const attr = escapeAttr;

/** The ops page's paths, from ids the contract restricts to URL-safe characters (and encoded anyway). */
export const opsPaths = (tenantId: string) => {
  const base = `/ops/${encodeURIComponent(tenantId)}/`;
  const booking = (ref: { source: string; bookingId: string }) =>
    `${base}bookings/${encodeURIComponent(ref.source)}/${encodeURIComponent(ref.bookingId)}`;
  return {
    base,
    login: `${base}login`,
    logout: `${base}logout`,
    find: `${base}find`,
    newBooking: `${base}bookings/new`,
    bookings: `${base}bookings`,
    booking,
    change: (ref: { source: string; bookingId: string }) => `${booking(ref)}/change`,
    crew: (ref: { source: string; bookingId: string }) => `${booking(ref)}/crew`,
    cancel: (ref: { source: string; bookingId: string }) => `${booking(ref)}/cancel`,
    complete: (ref: { source: string; bookingId: string }) => `${booking(ref)}/complete`,
  };
};

export interface Layout {
  tenant: { id: string; name: string };
  title: string;
  /** Present once logged in: the navigation and the logout form (with its CSRF token). */
  csrf?: string;
  body: string;
}

export function page({ tenant, title, csrf, body }: Layout): string {
  const paths = opsPaths(tenant.id);
  const nav =
    csrf === undefined
      ? ''
      : `<nav aria-label="Ops">
<a href="${attr(paths.base)}">Bookings</a>
<a href="${attr(paths.newBooking)}">New booking</a>
<form method="post" action="${attr(paths.logout)}">${csrfInput(csrf)}<button type="submit">Log out</button></form>
</nav>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${text(title)} - ${text(tenant.name)} ops</title>
<style>${OPS_CSS}</style>
</head>
<body>
<header><p class="brand">${text(tenant.name)} ops</p>${nav}</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export const csrfInput = (token: string) => `<input type="hidden" name="csrf" value="${attr(token)}">`;

/** A form's values as posted (or as prefilled from a booking), by field name. */
export type FormValues = ReadonlyMap<string, string>;

export function errorsByField(errors: readonly FieldError[]): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const e of errors) byField.set(e.path, [...(byField.get(e.path) ?? []), e.message]);
  return byField;
}

/** The errors no field of the form shows (a refusal, a path the form has no field for), at its top. */
export function errorSummary(errors: readonly FieldError[], fieldNames: readonly string[], heading: string): string {
  if (errors.length === 0) return '';
  const items = errors.map((e) =>
    fieldNames.includes(e.path) ? `<li>${text(e.path)}: ${text(e.message)}</li>` : `<li>${text(e.message)}</li>`,
  );
  return `<div class="alert" role="alert"><p><strong>${text(heading)}</strong></p><ul>${items.join('')}</ul></div>`;
}

export interface FieldSpec {
  name: string;
  label: string;
  kind?: 'text' | 'email' | 'tel' | 'numeric' | 'decimal' | 'datetime' | 'textarea' | 'select' | 'password';
  required?: boolean;
  hint?: string;
  options?: readonly { value: string; label: string }[];
  /** The id of a <datalist> the page carries. */
  list?: string;
  autocomplete?: string;
  wide?: boolean;
}

/**
 * A labelled field with its hint and errors tied to it (aria-describedby), its value kept. No
 * client-side constraints are declared beyond `required` (forms are `novalidate`): the service is
 * the one judge, in the contract's words. A kept value a datetime-local input cannot hold becomes a
 * text input, so what was typed stays visible and the page stays valid HTML.
 */
export function field(spec: FieldSpec, values: FormValues, errors: Map<string, string[]>): string {
  const id = `f-${spec.name}`;
  const value = values.get(spec.name) ?? '';
  const messages = errors.get(spec.name) ?? [];
  const described = [...(spec.hint ? [`h-${spec.name}`] : []), ...messages.map((_, i) => `e${i}-${spec.name}`)];
  const common = [
    `id="${attr(id)}"`,
    `name="${attr(spec.name)}"`,
    ...(spec.required ? ['required'] : []),
    ...(messages.length > 0 ? ['aria-invalid="true"'] : []),
    ...(described.length > 0 ? [`aria-describedby="${attr(described.join(' '))}"`] : []),
    ...(spec.autocomplete ? [`autocomplete="${attr(spec.autocomplete)}"`] : []),
  ].join(' ');
  let control: string;
  switch (spec.kind ?? 'text') {
    case 'textarea':
      // The newline after the tag is eaten by the parser, so a value's own leading newline survives.
      control = `<textarea ${common}>\n${text(value)}</textarea>`;
      break;
    case 'select':
      control = `<select ${common}>${(spec.options ?? [])
        .map((o) => `<option value="${attr(o.value)}"${o.value === value ? ' selected' : ''}>${text(o.label)}</option>`)
        .join('')}</select>`;
      break;
    case 'datetime': {
      const type = value === '' || isWallClock(value) ? 'datetime-local' : 'text';
      const step = /T\d{2}:\d{2}:\d{2}$/.test(value) ? ' step="1"' : '';
      control = `<input type="${type}"${type === 'datetime-local' ? step : ''} ${common} value="${attr(value)}">`;
      break;
    }
    default: {
      const kind = spec.kind ?? 'text';
      const type = kind === 'tel' ? 'tel' : kind === 'password' ? 'password' : 'text';
      const inputmode = kind === 'email' || kind === 'numeric' || kind === 'decimal' ? ` inputmode="${kind}"` : '';
      const list = spec.list ? ` list="${attr(spec.list)}"` : '';
      // Secrets are never sent back: a wrong key is typed again.
      const kept = kind === 'password' ? '' : ` value="${attr(value)}"`;
      control = `<input type="${type}"${inputmode}${list} ${common}${kept}>`;
    }
  }
  const hint = spec.hint ? `<p class="hint" id="${attr(`h-${spec.name}`)}">${text(spec.hint)}</p>` : '';
  const errorLines = messages
    .map((m, i) => `<p class="error" id="${attr(`e${i}-${spec.name}`)}">${text(m)}</p>`)
    .join('');
  return `<div${spec.wide ? ' class="wide"' : ''}><label for="${attr(id)}">${text(spec.label)}${spec.required ? ' (required)' : ''}</label>${control}${hint}${errorLines}</div>`;
}

/** "AWAITING_CREW" -> "Awaiting crew"; held bookings are "Held", as the email asking for their details calls them. */
export function stageLabel(stage: string): string {
  if (stage === 'AWAITING_DETAILS') return 'Held: awaiting details';
  const words = stage.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
