import type { Tracer } from '@opentelemetry/api';
import { Resource, detectResourcesSync, envDetectorSync } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { TracingEnvValues } from '../config/env';
import { JsonLinesSpanExporter } from './span-file-exporter';

/** Where spans go: OTLP over HTTP (protobuf), the console, a file of JSON lines. */
export type SpanDestination = 'otlp' | 'console';

export interface TracingConfig {
  /** `service.name`, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name another. */
  serviceName: string;
  destinations: SpanDestination[];
  /** Spans as JSON lines appended to this file (the local stack's `.data/logs/spans.jsonl`). */
  spansFile?: string;
}

/**
 * What the environment asks for, or undefined: tracing is off unless OTEL_TRACES_EXPORTER names an
 * exporter, an OTLP endpoint is set, or TRACES_FILE is. Unlike the OTel SDK's own default (`otlp`
 * to localhost:4318), unset means nothing is recorded, exported or propagated. The exporter itself
 * reads the rest of the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, _TIMEOUT, ...),
 * and the provider OTEL_TRACES_SAMPLER and OTEL_BSP_*.
 */
export function tracingFromEnv(env: TracingEnvValues, serviceName: string): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED) return undefined;
  const endpointSet =
    env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  const destinations = env.OTEL_TRACES_EXPORTER ?? (endpointSet ? ['otlp'] : []);
  if (destinations.length === 0 && env.TRACES_FILE === undefined) return undefined;
  return { serviceName, destinations, ...(env.TRACES_FILE ? { spansFile: env.TRACES_FILE } : {}) };
}

export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  /** Every destination's processor as one: the worker hands workflow spans (from the sandbox) to it. */
  spanProcessor: SpanProcessor;
  /** Flushes what is buffered and stops; call once, at exit. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process's tracer provider (with the W3C trace-context propagator and an
 * AsyncLocalStorage context manager) for `config`. `extraProcessors`: tests add an in-memory one.
 */
export function startTracing(config: TracingConfig, extraProcessors: SpanProcessor[] = []): Tracing {
  const resource = new Resource({ 'service.name': config.serviceName }).merge(
    detectResourcesSync({ detectors: [envDetectorSync] }),
  );
  const processors: SpanProcessor[] = [
    ...config.destinations.map((destination) =>
      destination === 'otlp'
        ? new BatchSpanProcessor(new OTLPTraceExporter())
        : new SimpleSpanProcessor(new ConsoleSpanExporter()),
    ),
    ...(config.spansFile ? [new BatchSpanProcessor(new JsonLinesSpanExporter(config.spansFile))] : []),
    ...extraProcessors,
  ];
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  return {
    tracer: provider.getTracer('charter-fulfillment'),
    resource,
    spanProcessor: provider.getActiveSpanProcessor(),
    shutdown: () => provider.shutdown(),
  };
}

/** The process's tracing as the environment configures it (tracingFromEnv), started; undefined when off. */
export function startTracingFromEnv(env: TracingEnvValues, serviceName: string): Tracing | undefined {
  const config = tracingFromEnv(env, serviceName);
  return config ? startTracing(config) : undefined;
}
