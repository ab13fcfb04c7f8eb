import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Helpers shared by the deployment tests: the repository, its TypeScript build, Compose interpolation. */
export const ROOT = resolve(__dirname, '..', '..');

export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

let build: ts.ParsedCommandLine | undefined;

/** `tsc -p tsconfig.build.json` as the TypeScript API reads it: which sources, which outputs. */
function buildConfig(): ts.ParsedCommandLine {
  if (build) return build;
  const configPath = join(ROOT, 'tsconfig.build.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  build = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, configPath);
  return build;
}

/** Where the build emits `source` (repository-relative paths), e.g. worker/main.ts -> dist/worker/main.js. */
export function emittedJs(source: string): string | undefined {
  const output = ts.getOutputFileNames(buildConfig(), join(ROOT, source), false).find((f) => f.endsWith('.js'));
  return output === undefined ? undefined : relative(ROOT, output);
}

/** The source file of the build whose output is `emitted` (repository-relative), if any. */
export function sourceEmitting(emitted: string): string | undefined {
  const source = buildConfig().fileNames.find((file) => emittedJs(relative(ROOT, file)) === emitted);
  return source === undefined ? undefined : relative(ROOT, source);
}

export interface Interpolation {
  name: string;
  /** `:-` / `-` (default), `:?` / `?` (required, with message), or none. */
  operator?: ':-' | '-' | ':?' | '?';
  argument?: string;
}

const INTERPOLATION = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?)([^}]*))?\}$/;

/** The value when it is exactly one Compose interpolation such as `${NAME:?message}`, else undefined. */
export function interpolation(value: unknown): Interpolation | undefined {
  const match = typeof value === 'string' ? INTERPOLATION.exec(value) : null;
  if (!match) return undefined;
  return { name: match[1]!, operator: match[2] as Interpolation['operator'], argument: match[3] };
}

/** Every variable a Compose file interpolates (`$$` is a literal dollar sign). */
export function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(match[1]!);
  return names;
}

/**
 * The value a container gets when only the variables Compose requires are set: a literal as is, the
 * default of `${NAME:-default}`, and undefined when the value can only come from .env or the shell.
 */
export function valueWithoutOverrides(value: unknown): string | undefined {
  const ref = interpolation(value);
  if (!ref) return String(value);
  return ref.operator === ':-' || ref.operator === '-' ? ref.argument : undefined;
}

/** Compose durations: `45s`, `1m30s`, `2h`. */
export function durationSeconds(value: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || value === '') throw new Error(`not a duration: ${value}`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}
