import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Nu Html Checker (the W3C validator's engine) from the vnu-jar package. The package's main module
 * exports the jar's path (build/dist/vnu.jar) as a String object and ships no types, so we resolve the
 * file itself. Its `vnu.check` would download a Java runtime when none is installed, which a test must
 * never do, so we call java ourselves.
 */
export function vnuJarPath(): string {
  return require.resolve('vnu-jar/build/dist/vnu.jar');
}

export interface VnuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  message: string;
  extract?: string;
  lastLine?: number;
  firstColumn?: number;
  url?: string;
}

/**
 * Checks several documents in one JVM start (a few seconds each time) and answers the errors per
 * document name. `--stdout` because vnu writes its report to stderr by default; `--exit-zero-always`
 * because errors are the answer here, not a failure of the run.
 */
export async function vnuErrors(documents: Record<string, string>): Promise<Record<string, VnuMessage[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'vnu-'));
  try {
    const files = Object.entries(documents).map(([name, html], i) => {
      const file = join(dir, `${i}.html`);
      writeFileSync(file, html, 'utf8');
      return { name, file };
    });
    const stdout = await java([
      '-jar',
      vnuJarPath(),
      '--errors-only',
      '--format',
      'json',
      '--stdout',
      '--exit-zero-always',
      ...files.map((f) => f.file),
    ]);
    const { messages } = JSON.parse(stdout) as { messages: VnuMessage[] };
    const result: Record<string, VnuMessage[]> = {};
    // vnu names documents as file:/path (one slash), so compare paths rather than URL strings.
    const pathOf = (m: VnuMessage) => (m.url ? new URL(m.url).pathname : '');
    for (const { name, file } of files) result[name] = messages.filter((m) => pathOf(m) === file);
    const unmatched = messages.filter((m) => !files.some((f) => f.file === pathOf(m)));
    if (unmatched.length) throw new Error(`vnu reported on no known document: ${JSON.stringify(unmatched)}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function java(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('java', args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        return reject(
          new Error(
            '`java` not found: the Nu Html Checker needs Java 11 or later: apt-get install -y default-jre-headless',
          ),
        );
      }
      if (error) return reject(new Error(`vnu failed: ${error.message}\n${stderr}`));
      resolve(stdout);
    });
  });
}
