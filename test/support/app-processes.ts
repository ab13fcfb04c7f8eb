import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TenantFileEntry } from '../../src/config/tenants-file';
import type { Tenant } from '../../src/config/tenant';
import { JADA_TOKEN, SCC_SERVICE_KEY, SLUG_SECRET } from './fulfillment';
import { startProcess, waitForHttp, type RunningProcess } from './processes';
import { testServers, uniqueTaskQueue } from './temporal';

const ROOT = resolve(__dirname, '..', '..');

/** The tenants file the worker and service read, for a tenant built by startTenantWorld. */
export function writeTenantsFile(dir: string, tenant: Tenant): { path: string; secrets: Record<string, string> } {
  const entry: TenantFileEntry = {
    id: tenant.id,
    name: tenant.name,
    auth: tenant.auth,
    jada: { url: tenant.jada.baseUrl, tokenEnv: 'E2E_JADA_TOKEN' },
    scc: { apiUrl: tenant.scc.apiUrl, serviceKeyEnv: 'E2E_SCC_SERVICE_KEY' },
    sites: tenant.sites,
    uploads: tenant.uploads,
    ops: tenant.ops,
    defaultCrew: tenant.defaultCrew,
    contact: tenant.contact,
    meetingPoint: tenant.meetingPoint,
  };
  const path = join(dir, `tenants-${tenant.id}.json`);
  writeFileSync(path, JSON.stringify({ tenants: [entry] }, null, 2));
  return { path, secrets: { E2E_JADA_TOKEN: JADA_TOKEN, E2E_SCC_SERVICE_KEY: SCC_SERVICE_KEY } };
}

export interface AppProcesses {
  serviceUrl: string;
  taskQueue: string;
  worker: RunningProcess;
  service: RunningProcess;
  /** Starts both again (after a crash) with the same configuration. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The worker and the HTTP service as real child processes, started the way production starts them
 * (entry points configured by environment), against the run's Temporal and moto.
 */
export async function startAppProcesses(options: {
  tenant: Tenant;
  smtpUrl: string;
  stateBucket: string;
  servicePort: number;
  env?: Record<string, string>;
  /**
   * A directory holding `npm run build` output (dist/) and production dependencies only: the entry
   * points run there as the image's runtime stage runs them, with the prebuilt bundle. Without it,
   * the TypeScript sources run through tsx.
   */
  built?: string;
}): Promise<AppProcesses> {
  const { address, motoUrl } = testServers();
  const tenants = writeTenantsFile(process.env.TEST_TMP_DIR ?? ROOT, options.tenant);
  const taskQueue = uniqueTaskQueue('e2e');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
    TENANTS_FILE: tenants.path,
    ...tenants.secrets,
    SMTP_URL: options.smtpUrl,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: motoUrl,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    STATE_BUCKET: options.stateBucket,
    HTTP_TIMEOUT_MS: '2000',
    SERVICE_HOST: '127.0.0.1',
    SERVICE_PORT: String(options.servicePort),
    SLUG_SECRET,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const serviceUrl = `http://127.0.0.1:${options.servicePort}`;
  const { built } = options;
  const entries = built
    ? { worker: join(built, 'dist/worker/main.js'), service: join(built, 'dist/src/service/main.js') }
    : { worker: join(ROOT, 'worker/main.ts'), service: join(ROOT, 'src/service/main.ts') };
  if (built)
    Object.assign(env, { NODE_ENV: 'production', WORKFLOW_BUNDLE_PATH: join(built, 'dist/workflow-bundle.js') });
  const node = (entry: string) =>
    startProcess(process.execPath, built ? [entry] : ['--import', 'tsx', entry], env, { cwd: built ?? ROOT });

  const app = { worker: node(entries.worker), service: node(entries.service) };
  const ready = async () => {
    try {
      await waitForHttp(`${serviceUrl}/readyz`, 30_000, 'the service');
    } catch (err) {
      const output = `service stderr: ${app.service.stderr()}\nworker stderr: ${app.worker.stderr()}`;
      // Nothing may outlive a failed start: a live child keeps jest from exiting.
      await Promise.all([app.worker.stop(), app.service.stop()]);
      throw new Error(`${(err as Error).message}\n${output}`);
    }
  };
  await ready();
  return {
    serviceUrl,
    taskQueue,
    get worker() {
      return app.worker;
    },
    get service() {
      return app.service;
    },
    async restart() {
      app.worker = node(entries.worker);
      app.service = node(entries.service);
      await ready();
    },
    async stop() {
      await Promise.all([app.worker.stop(), app.service.stop()]);
    },
  };
}
