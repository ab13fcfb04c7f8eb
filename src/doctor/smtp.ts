import type { WorkerEnv } from '../config/env';
import { createMailTransport } from '../mail/transport';
import { describeError, fail, ok, type CheckResult } from './check';

export const SMTP_LOGIN = 'SMTP login';

/** Where SMTP_URL points, without its login. */
function serverOf(smtpUrl: string): string {
  try {
    return new URL(smtpUrl).host;
  } catch {
    return 'the SMTP server';
  }
}

/** nodemailer's verify(): connect, greet, STARTTLS where offered, and log in with SMTP_URL's user and password. */
export async function checkSmtp(env: Pick<WorkerEnv, 'SMTP_URL'>, timeoutMs: number): Promise<CheckResult> {
  // One connection, closed after: a pool would keep it open for messages the doctor never sends.
  const transport = createMailTransport(env.SMTP_URL, { timeoutMs, pool: false });
  const server = serverOf(env.SMTP_URL);
  try {
    await transport.verify();
    return ok(SMTP_LOGIN);
  } catch (err) {
    const { code, responseCode } = err as { code?: unknown; responseCode?: unknown };
    if (code === 'EAUTH' || responseCode === 535 || responseCode === 530) {
      return fail(
        SMTP_LOGIN,
        `${server} refused the login${typeof responseCode === 'number' ? ` (${responseCode})` : ''}: check the user and password in SMTP_URL`,
      );
    }
    if (typeof responseCode === 'number') {
      return fail(SMTP_LOGIN, `${server} answered ${responseCode}: check SMTP_URL (host, port, smtp:// or smtps://)`);
    }
    const why = typeof code === 'string' ? code : describeError(err);
    return fail(SMTP_LOGIN, `cannot reach SMTP at ${server} (${why}): check SMTP_URL's host, port and scheme`);
  } finally {
    transport.close();
  }
}
