import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { PayloadKey } from './keys';

/** For bundleWorkflowCode and DataConverter: the workflow sandbox converts failures with it too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The one data converter of every Temporal client and worker here (worker, service, scripts, tests):
 * payloads encrypted by EncryptionCodec, failure messages and stack traces encoded with them.
 */
export function encryptedDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs: [new EncryptionCodec(keys)] };
}
