import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketCorsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { CreateFunctionCommand, DeleteFunctionCommand, DescribeFunctionCommand } from '@aws-sdk/client-cloudfront';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LocalStack } from '../../../scripts/local-stack/stack';
import { baseChildEnv } from '../../../scripts/local-stack/tenant';
import { startOutbox, type Outbox } from '../../../sim/outbox';
import type { CheckResult } from '../../../src/doctor/check';
import { doctorConfig, type DoctorConfig } from '../../../src/doctor/config';
import { failed, runDoctor } from '../../../src/doctor/doctor';
import { formatReport } from '../../../src/doctor/report';
import { loadGuestRewriteSource } from '../../../src/publish/cloudfront-function';
import { SEARCH_ATTRIBUTE_KEYS } from '../../../workflows/search-attributes';
import { startTestStack } from '../../support/local-stack';
import { testServers } from '../../support/temporal';

const ROOT = resolve(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let stack: LocalStack;
let config: DoctorConfig;

/** The secrets of the stack the output must never hold: the tenant's, SMTP's, the payload and slug keys. */
function stackSecrets(): string[] {
  const { keys } = stack;
  return [
    keys.jadaDashboardToken,
    keys.sccServiceKey,
    keys.intakeKey,
    keys.crewCallbackKey,
    keys.slugSecret,
    keys.payloadKeys,
    keys.payloadKeys.split(':')[1]!,
  ];
}

function expectNoSecret(output: string, extra: string[] = []): void {
  for (const secret of [...stackSecrets(), ...extra]) expect(output).not.toContain(secret);
}

/** `npx tsx scripts/doctor.ts` as ops run it: its exit code and everything it printed. */
function runScript(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(TSX, ['scripts/doctor.ts', ...args], { cwd: ROOT, env, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The rows of the printed table that failed: "<tenant>|<check>". */
function failedRows(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.split(/ {2,}/))
    .filter((cells) => cells[2] === 'FAIL')
    .map((cells) => `${cells[0]}|${cells[1]}`);
}

const red = (results: readonly CheckResult[]) => failed(results).map((r) => `${r.tenant ?? '(all)'}|${r.check}`);
const fixOf = (results: readonly CheckResult[], check: string) => results.find((r) => r.check === check)?.fix ?? '';

/** The stack's configuration with one tenant field changed. */
function withTenant(change: (tenant: DoctorConfig['tenants'][number]) => void): DoctorConfig {
  const tenants = config.tenants.map((t) => structuredClone(t));
  change(tenants[0]!);
  return { ...config, tenants };
}

beforeAll(async () => {
  stack = await startTestStack();
  config = doctorConfig(stack.envs.worker);
}, 240_000);

afterAll(() => stack?.stop());

const tenantChecks = [
  'JADA token',
  'SCC URL is the origin',
  'SCC service key',
  'site nested: bucket writable',
  'site nested: bucket not public',
  'site nested: distribution',
  'site nested: CloudFront Function',
  'site flat: bucket writable',
  'site flat: bucket not public',
  'site flat: distribution',
  'uploads bucket CORS',
];
const sharedChecks = ['SMTP login', 'Temporal namespace', 'Temporal search attributes'];

describe('npm run doctor against the local stack', () => {
  it('is all green with the configuration the stack generated (LOCAL_DATA_DIR), and prints no secret', async () => {
    const env = { ...baseChildEnv(process.env), LOCAL_DATA_DIR: dirname(stack.paths.workerEnv) };
    const { code, output } = await runScript(env);
    expect(output).toContain(`checking the local stack (${stack.paths.workerEnv})`);
    expect(code).toBe(0);
    for (const check of tenantChecks) expect(output).toMatch(new RegExp(`^${stack.tenantId} +${check} +ok$`, 'm'));
    for (const check of sharedChecks) expect(output).toMatch(new RegExp(`^\\(all\\) +${check} +ok$`, 'm'));
    expect(output).toContain(`all ${tenantChecks.length + sharedChecks.length} checks passed`);
    expectNoSecret(output);
    // The canaries are gone again.
    for (const site of stack.tenant.sites) {
      const listed = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: site.bucket, Prefix: 'doctor/' }));
      expect(listed.KeyCount ?? 0).toBe(0);
    }
  });

  it('turns the JADA token red with its fix when the worker environment holds a wrong one (exit 1)', async () => {
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    const env = { ...baseChildEnv(process.env), ...stack.envs.worker, JADA_DASHBOARD_TOKEN: wrong };
    const { code, output } = await runScript(env, ['--tenant', stack.tenantId]);
    expect(output).toContain("checking the worker's environment");
    expect(code).toBe(1);
    expect(failedRows(output)).toEqual([`${stack.tenantId}|JADA token`]);
    expect(output).toContain(
      "JADA refused the dashboard token (401): set JADA_DASHBOARD_TOKEN (the tenant's jada.tokenEnv) to its JADA dashboard token",
    );
    expectNoSecret(output, [wrong]);
  });

  it('refuses an unknown --tenant (exit 2)', async () => {
    const env = { ...baseChildEnv(process.env), ...stack.envs.worker };
    const { code, output } = await runScript(env, ['--tenant', 'nosuchtenant']);
    expect(code).toBe(2);
    expect(output).toContain('no tenant nosuchtenant in the tenants file');
  });
});

describe('each fault turns exactly its check red', () => {
  it('the SCC CDN URL instead of the origin', async () => {
    const results = await runDoctor(withTenant((t) => (t.scc.apiUrl = stack.scc.cdnUrl)));
    expect(red(results)).toEqual([`${stack.tenantId}|SCC URL is the origin`]);
    expect(fixOf(results, 'SCC URL is the origin')).toMatch(
      /answers through CloudFront \(via, x-amz-cf-id, x-cache\), which strips X-Service-Key: set it to SCC's origin \(API Gateway\) URL/,
    );
    expect(results.find((r) => r.check === 'SCC service key')?.status).toBe('skip');
    expectNoSecret(formatReport(results, config.secrets));
  });

  it('a wrong SCC service key at the origin', async () => {
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    const results = await runDoctor(withTenant((t) => (t.scc.serviceKey = wrong)));
    expect(red(results)).toEqual([`${stack.tenantId}|SCC service key`]);
    expect(fixOf(results, 'SCC service key')).toBe(
      "SCC refused the service key (401): set JADA_SCC_SERVICE_KEY (the tenant's scc.serviceKeyEnv) to its SCC service key",
    );
  });

  it('a missing bucket', async () => {
    const flat = stack.tenant.sites.find((s) => s.name === 'flat')!;
    await stack.aws.s3.send(new DeleteBucketCommand({ Bucket: flat.bucket }));
    try {
      const results = await runDoctor(config);
      expect(red(results)).toEqual([`${stack.tenantId}|site flat: bucket writable`]);
      expect(fixOf(results, 'site flat: bucket writable')).toMatch(
        new RegExp(`bucket ${flat.bucket} does not exist: create it`),
      );
      expect(results.find((r) => r.check === 'site flat: bucket not public')?.status).toBe('skip');
    } finally {
      await stack.aws.s3.send(new CreateBucketCommand({ Bucket: flat.bucket }));
    }
  });

  it('a public bucket', async () => {
    const nested = stack.tenant.sites.find((s) => s.name === 'nested')!;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${nested.bucket}/*`,
        },
      ],
    };
    await stack.aws.s3.send(new PutBucketPolicyCommand({ Bucket: nested.bucket, Policy: JSON.stringify(policy) }));
    try {
      const results = await runDoctor(config);
      expect(red(results)).toEqual([`${stack.tenantId}|site nested: bucket not public`]);
      expect(fixOf(results, 'site nested: bucket not public')).toMatch(/policy makes it public: remove the statements/);
    } finally {
      await stack.aws.s3.send(new DeleteBucketPolicyCommand({ Bucket: nested.bucket }));
    }
  });

  it('drifted CloudFront Function code', async () => {
    const name = stack.tenant.sites.find((s) => s.name === 'nested')!.cloudFrontFunction!;
    // moto has no UpdateFunction: the function is made again with other code, as an edit in the console would leave it.
    const replace = async (code: string) => {
      const { ETag } = await stack.aws.cloudfront.send(new DescribeFunctionCommand({ Name: name }));
      await stack.aws.cloudfront.send(new DeleteFunctionCommand({ Name: name, IfMatch: ETag }));
      await stack.aws.cloudfront.send(
        new CreateFunctionCommand({
          Name: name,
          FunctionConfig: { Comment: 'guest-rewrite', Runtime: 'cloudfront-js-2.0' },
          FunctionCode: new TextEncoder().encode(code),
        }),
      );
    };
    await replace(loadGuestRewriteSource().replace('statusCode: 404', 'statusCode: 403'));
    try {
      const results = await runDoctor(config);
      expect(red(results)).toEqual([`${stack.tenantId}|site nested: CloudFront Function`]);
      expect(fixOf(results, 'site nested: CloudFront Function')).toMatch(
        new RegExp(
          `function ${name}'s LIVE code \\(sha256 [0-9a-f]{12}\\) is not src/publish/cloudfront-function/guest-rewrite.js`,
        ),
      );
    } finally {
      await replace(loadGuestRewriteSource());
    }
  });

  it('a distribution that serves another bucket', async () => {
    const flat = stack.tenant.sites.find((s) => s.name === 'flat')!;
    const results = await runDoctor(withTenant((t) => (t.sites[0]!.distributionId = flat.distributionId)));
    expect(red(results)).toEqual([`${stack.tenantId}|site nested: distribution`]);
    expect(fixOf(results, 'site nested: distribution')).toMatch(
      new RegExp(
        `distribution ${flat.distributionId} serves from ${flat.bucket}, not bucket ${stack.tenant.sites[0]!.bucket}`,
      ),
    );
  });

  it("uploads CORS that leaves out one site's origin", async () => {
    const bucket = stack.tenant.uploads.bucket;
    const before = await stack.aws.s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    const [nestedOrigin, flatOrigin] = [stack.edge.origins.nested!, stack.edge.origins.flat!];
    await stack.aws.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [nestedOrigin], AllowedMethods: ['POST'] }] },
      }),
    );
    try {
      const results = await runDoctor(config);
      expect(red(results)).toEqual([`${stack.tenantId}|uploads bucket CORS`]);
      expect(fixOf(results, 'uploads bucket CORS')).toContain(`no rule allows POST from ${flatOrigin}`);
    } finally {
      await stack.aws.s3.send(
        new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: before.CORSRules } }),
      );
    }
  });

  describe('with an SMTP server that requires a login', () => {
    let outbox: Outbox;
    const pass = randomBytes(12).toString('base64url');

    beforeAll(async () => {
      outbox = await startOutbox({
        dir: mkdtempSync(join(tmpdir(), 'doctor-outbox-')),
        auth: { user: 'fulfillment', pass },
      });
    });
    afterAll(() => outbox?.stop());

    const smtpUrl = (password: string) => outbox.smtpUrl.replace('smtp://', `smtp://fulfillment:${password}@`);

    it('passes with the right password and fails with a wrong one', async () => {
      const right = await runDoctor(doctorConfig({ ...stack.envs.worker, SMTP_URL: smtpUrl(pass) }));
      expect(red(right)).toEqual([]);

      const wrong = `Wr0ng-${randomBytes(8).toString('hex')}`;
      const wrongConfig = doctorConfig({ ...stack.envs.worker, SMTP_URL: smtpUrl(wrong) });
      const results = await runDoctor(wrongConfig);
      expect(red(results)).toEqual(['(all)|SMTP login']);
      expect(fixOf(results, 'SMTP login')).toMatch(
        /refused the login \(535\): check the user and password in SMTP_URL/,
      );
      expectNoSecret(formatReport(results, wrongConfig.secrets), [wrong, pass]);
    });
  });

  it('a missing search attribute (a namespace that lacks SccEventId)', async () => {
    const namespace = `doctor-${randomBytes(4).toString('hex')}`;
    const connection = await Connection.connect({ address: testServers().address });
    const missing = 'SccEventId';
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
      const present = SEARCH_ATTRIBUTE_KEYS.filter((key) => key.name !== missing);
      await eventually(() =>
        connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(
            present.map((key) => [
              key.name,
              temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}` as const],
            ]),
          ),
        }),
      );
      const results = await runDoctor(doctorConfig({ ...stack.envs.worker, TEMPORAL_NAMESPACE: namespace }));
      expect(red(results)).toEqual(['(all)|Temporal search attributes']);
      expect(fixOf(results, 'Temporal search attributes')).toBe(
        `missing or of another type: SccEventId (Keyword): temporal operator search-attribute create --namespace ${namespace} --name SccEventId --type Keyword`,
      );
    } finally {
      await connection.close();
    }
  });
});

/** A new namespace reaches every part of the server within seconds. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
