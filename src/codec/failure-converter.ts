import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces move into an encoded payload, which the codec then encrypts: an
 * error quoting a guest's email would otherwise sit in the history in the clear. Loaded by path
 * (DataConverter.failureConverterPath) into the workflow bundle as well, so it imports nothing but
 * the SDK's common package.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
