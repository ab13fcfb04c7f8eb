import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { WorkerEnv } from '../config/env';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { CLI_SEARCH_ATTRIBUTE_TYPE, SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { describeError, fail, ok, skip, type CheckResult } from './check';

export const TEMPORAL_NAMESPACE = 'Temporal namespace';
export const SEARCH_ATTRIBUTES = 'Temporal search attributes';

type TemporalEnv = Pick<
  WorkerEnv,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
>;

const GRPC_NOT_FOUND = 5;

export interface ExpectedAttribute {
  name: string;
  type: SearchAttributeType;
}

/**
 * The namespace answers (DescribeNamespace) and has every search attribute the workflows set, each of
 * its type (ListSearchAttributes): a missing one fails the booking's first upsert.
 */
export async function checkTemporal(
  env: TemporalEnv,
  timeoutMs: number,
  expected: readonly ExpectedAttribute[] = SEARCH_ATTRIBUTE_KEYS,
): Promise<CheckResult[]> {
  const namespace = env.TEMPORAL_NAMESPACE;
  const notChecked = (why: string) => skip(SEARCH_ATTRIBUTES, `not checked: ${why} (${TEMPORAL_NAMESPACE})`);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(env), connectTimeout: timeoutMs });
  } catch (err) {
    return [
      fail(
        TEMPORAL_NAMESPACE,
        `cannot reach Temporal at ${env.TEMPORAL_ADDRESS} (${describeError(err)}): check TEMPORAL_ADDRESS and its TLS or API key settings`,
      ),
      notChecked('Temporal did not answer'),
    ];
  }
  const deadline = () => Date.now() + timeoutMs;
  try {
    try {
      await connection.withDeadline(deadline(), () => connection.workflowService.describeNamespace({ namespace }));
    } catch (err) {
      const fix =
        (err as { code?: unknown }).code === GRPC_NOT_FOUND
          ? `namespace ${namespace} does not exist on ${env.TEMPORAL_ADDRESS}: create it (deploy/temporal/setup-namespace.sh) or correct TEMPORAL_NAMESPACE`
          : `namespace ${namespace} did not answer (${describeError(err)}): check TEMPORAL_NAMESPACE and that the API key or certificate may use it`;
      return [fail(TEMPORAL_NAMESPACE, fix), notChecked('the namespace did not answer')];
    }
    const { customAttributes = {} } = await connection.withDeadline(deadline(), () =>
      connection.operatorService.listSearchAttributes({ namespace }),
    );
    const wrong = expected.filter(
      (key) =>
        customAttributes[key.name] !==
        temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}` as const],
    );
    if (wrong.length > 0) {
      const create = wrong
        .map(
          (key) =>
            `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`,
        )
        .join('; ');
      const what = wrong.map((key) => `${key.name} (${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]})`).join(', ');
      return [ok(TEMPORAL_NAMESPACE), fail(SEARCH_ATTRIBUTES, `missing or of another type: ${what}: ${create}`)];
    }
    return [ok(TEMPORAL_NAMESPACE), ok(SEARCH_ATTRIBUTES)];
  } catch (err) {
    return [ok(TEMPORAL_NAMESPACE), fail(SEARCH_ATTRIBUTES, `ListSearchAttributes failed: ${describeError(err)}`)];
  } finally {
    await connection.close();
  }
}
