import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../local-stack/config';

/**
 * docker-compose.yml as Compose itself reads it, for the production test that runs its services
 * without Docker: each service's environment after interpolation, its command and its entrypoint.
 * Reading the file (rather than restating it) is what makes the test fail when the file drifts.
 */
export interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
}

interface RawService {
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
}

/**
 * Compose's variable syntax: `$$` (a dollar), `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
 * `${NAME:?error}`, `${NAME?error}`, `${NAME:+alt}`, `${NAME+alt}`. With the colon, an empty value
 * counts as unset. A required variable that is missing throws Compose's message, naming the variable.
 */
export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name?: string, colon?: string, op?: string, argument?: string, bare?: string) => {
      if (whole === '$$') return '$';
      if (bare) return vars[bare] ?? '';
      const value = vars[name!];
      const unset = colon ? value === undefined || value === '' : value === undefined;
      if (op === '-') return unset ? argument! : value!;
      if (op === '+') return unset ? '' : argument!;
      if (op === '?') {
        if (unset) throw new Error(`required variable ${name} is missing a value: ${argument}`);
        return value!;
      }
      return value ?? '';
    },
  );
}

const asList = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);

/** One service of docker-compose.yml (merge keys resolved), interpolated with `vars` as .env would be. */
/** Compose variables for reading the file's fixed parts: every `${VAR:?}` it requires reads as set. */
export function everyVariableSet(): Record<string, string> {
  return new Proxy({} as Record<string, string>, { get: () => 'set' });
}

export function composeService(
  name: string,
  vars: Record<string, string | undefined>,
  file = join(ROOT, 'docker-compose.yml'),
): ComposeService {
  const text = readFileSync(file, 'utf8');
  const compose = parse(text, { merge: true }) as { services?: Record<string, RawService> };
  const raw = compose.services?.[name];
  if (!raw) throw new Error(`${file} has no service ${name}`);
  const entries = Array.isArray(raw.environment)
    ? raw.environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, vars[entry] ?? ''] : [entry.slice(0, at), entry.slice(at + 1)];
      })
    : Object.entries(raw.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]);
  const environment = Object.fromEntries(
    entries.map(([key, value]) => {
      try {
        return [key!, interpolate(value!, vars)];
      } catch (err) {
        throw new Error(`${name}.environment.${key}: ${(err as Error).message}`);
      }
    }),
  );
  const strings = (list: string[] | undefined) => list?.map((part) => interpolate(part, vars));
  return {
    image: raw.image && interpolate(raw.image, vars),
    command: strings(asList(raw.command)),
    entrypoint: strings(asList(raw.entrypoint)),
    environment,
  };
}

/** The runtime stage's `ENV` and `CMD` in the Dockerfile: what a container of the image runs with. */
export function dockerfileRuntime(file = join(ROOT, 'Dockerfile')): { env: Record<string, string>; cmd: string[] } {
  const lines = readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n');
  const start = lines.findIndex((line) => /^FROM\s+\S+\s+AS\s+runtime\b/i.test(line));
  if (start < 0) throw new Error(`${file} has no runtime stage (FROM ... AS runtime)`);
  const env: Record<string, string> = {};
  let cmd: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^FROM\s/i.test(line)) break;
    const envMatch = /^ENV\s+(.*)$/i.exec(line);
    if (envMatch) {
      for (const pair of envMatch[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
        env[pair[1]!] = pair[2]!.replace(/^"|"$/g, '');
      }
    }
    const cmdMatch = /^CMD\s+(\[.*\])\s*$/i.exec(line);
    if (cmdMatch) cmd = JSON.parse(cmdMatch[1]!) as string[];
  }
  if (!cmd) throw new Error(`${file}: the runtime stage has no CMD in exec form`);
  return { env, cmd };
}
