import { CodecServerEnvSchema, parseEnv } from '../config/env';
import { EncryptionCodec } from '../codec/encryption-codec';
import { buildCodecServer } from './app';

/**
 * The codec server, a process of its own: it decrypts for whoever reaches it, so it stays on
 * loopback or a private network next to the people who read histories, while the service faces the
 * channels' webhooks. Stops on SIGINT/SIGTERM after in-flight requests.
 */
async function main(): Promise<void> {
  const env = parseEnv(CodecServerEnvSchema, process.env);
  const app = buildCodecServer({
    codec: new EncryptionCodec(env.PAYLOAD_KEYS),
    corsOrigin: env.CODEC_CORS_ORIGIN,
    authToken: env.CODEC_AUTH_TOKEN,
    logger: { level: env.LOG_LEVEL },
  });
  const shutdown = () => void app.close().catch(() => (process.exitCode = 1));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await app.listen({
    host: env.CODEC_HOST,
    port: env.CODEC_PORT,
    listenTextResolver: (address) =>
      `codec server listening at ${address} (keys: ${env.PAYLOAD_KEYS.map((k) => k.id).join(', ')}; ` +
      `browser origin: ${env.CODEC_CORS_ORIGIN ?? 'none'}; token: ${env.CODEC_AUTH_TOKEN ? 'required' : 'none'})`,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
