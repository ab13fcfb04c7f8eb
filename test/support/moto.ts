import { join } from 'node:path';
import { startCloudFrontShim } from '../../sim/cloudfront-dedupe';
import { freePort, startProcess, waitForHttp } from './processes';

export interface Moto {
  /** moto behind the CloudFront shim: what every client uses, so invalidations dedupe as on CloudFront. */
  url: string;
  /** moto itself, for the tests that look behind the shim. */
  directUrl: string;
  stop(): Promise<void>;
}

/** moto's server (S3 + CloudFront and the rest of AWS, not our code) on a random loopback port, behind the shim. */
export async function startMoto(root: string): Promise<Moto> {
  const port = await freePort();
  const proc = startProcess(join(root, '.tools', 'venv', 'bin', 'moto_server'), [
    '-H',
    '127.0.0.1',
    '-p',
    String(port),
  ]);
  const directUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${directUrl}/moto-api/`, 30_000, 'moto_server');
    const shim = await startCloudFrontShim({ upstream: directUrl });
    return {
      url: shim.url,
      directUrl,
      stop: async () => {
        await shim.stop();
        await proc.stop();
      },
    };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
