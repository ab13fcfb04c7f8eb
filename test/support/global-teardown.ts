import { rmSync } from 'node:fs';
import type { GlobalServers } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __servers__?: GlobalServers }).__servers__;
  if (!servers) return;
  await Promise.allSettled([servers.temporal.teardown(), servers.moto.stop()]);
  rmSync(servers.tmpDir, { recursive: true, force: true });
}
