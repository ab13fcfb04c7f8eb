import { join } from 'node:path';
import { freePort, startProcess, waitForHttp } from './processes';

export interface Moto {
  url: string;
  stop(): Promise<void>;
}

/** moto's server (S3 + CloudFront and the rest of AWS, not our code) on a random loopback port. */
export async function startMoto(root: string): Promise<Moto> {
  const port = await freePort();
  const proc = startProcess(join(root, '.tools', 'venv', 'bin', 'moto_server'), [
    '-H',
    '127.0.0.1',
    '-p',
    String(port),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/moto-api/`, 30_000, 'moto_server');
  return { url, stop: proc.stop };
}
