import { createServer } from 'node:net';
import { PORTS, type PortName, type Ports } from './config';

/** Why the port cannot be bound on 127.0.0.1, or undefined when it is free. */
function bindProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`),
    );
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * Fails before anything starts, naming every taken port and the variable that moves it: a port
 * found taken halfway through would leave half a stack to tear down and a less clear message.
 */
export async function assertPortsFree(ports: Ports): Promise<void> {
  const entries = Object.entries(ports) as [PortName, number][];
  const problems = await Promise.all(
    entries.map(async ([name, port]) => ({ name, port, problem: await bindProblem(port) })),
  );
  const taken = problems.filter((p) => p.problem !== undefined);
  if (taken.length === 0) return;
  const lines = taken.map(
    ({ name, port, problem }) =>
      `  - ${port} (${PORTS[name].what}) ${problem}: free it or set ${PORTS[name].env}=<port>`,
  );
  throw new Error(
    `Cannot start the local stack: ${taken.length === 1 ? 'a port is' : 'ports are'} not free on 127.0.0.1\n${lines.join('\n')}\n` +
      '  (Is another `npm start` running? It prints its URLs when it starts.)',
  );
}
