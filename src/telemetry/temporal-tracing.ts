import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Tracing } from './tracing';

/**
 * The workflow interceptors of @temporalio/interceptors-opentelemetry (without their query and
 * update-validator spans: workflows/tracing-interceptors.ts says why), in every workflow bundle
 * (the prebuilt one, the tests', the one a worker builds from source) whether tracing is on or not:
 * the same code replays the same histories either way, and a worker only decides where the spans go.
 * Workflow spans reach the worker through the `exporter` sink, never through workflow history.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../../workflows/tracing-interceptors')];

/**
 * Of the workflow info the SDK's exporter copies onto every workflow span, these only: the rest
 * (memo, search attributes, last failure, ...) could carry more than a trace should.
 */
const WORKFLOW_SPAN_INFO = ['workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace', 'attempt'] as const;

/**
 * A worker's tracing: the workflow spans' sink and the activity interceptors that continue the
 * workflow's trace in each activity. Without tracing the sink is still there (the bundle's
 * interceptors call it) and drops the spans; no activity interceptor runs.
 */
export function workerTracingOptions(tracing: Tracing | undefined): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  if (!tracing) {
    const sinks: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };
    return { sinks };
  }
  const exporter = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  const sinks: InjectedSinks<OpenTelemetrySinks> = {
    exporter: {
      export: {
        ...exporter.export,
        fn: (info, spans) =>
          exporter.export.fn(
            Object.fromEntries(WORKFLOW_SPAN_INFO.map((key) => [key, info[key]])) as unknown as typeof info,
            spans,
          ),
      },
    },
  };
  const { tracer } = tracing;
  return {
    sinks,
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
  };
}

/** The Temporal client's interceptors: a span per start, signal, update and query, its context in the headers. */
export function clientTracingInterceptors(tracing: Tracing | undefined): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: tracing ? [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] : [] };
}
