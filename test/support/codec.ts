import { encryptedDataConverter } from '../../src/codec/data-converter';
import { parsePayloadKeys } from '../../src/codec/keys';

/** The payload keys of every test client and worker, as PAYLOAD_KEYS spells them: tests only, never a deployment's. */
export const TEST_PAYLOAD_KEYS =
  'test-2026:BQHDTwyklvOvxQJ5oITg8beaNeTVeXCf4kiasFj9DHg=,test-2025:jqJTGrEZ7P96dxEOr2ftcAIkiNsL/FmGgdasiNfwa58=';

export const testPayloadKeys = () => parsePayloadKeys(TEST_PAYLOAD_KEYS).keys;

/** The production data converter with the test keys: histories in tests are encrypted as in production. */
export const testDataConverter = () => encryptedDataConverter(testPayloadKeys());
