import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
// After the package: its first import patches the sandbox (`performance`) that sdk-trace-base needs at load.
import type { Tracer } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type {
  Next,
  QueryInput,
  UpdateInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
} from '@temporalio/workflow';

/**
 * The workflow's spans are sampled by their caller: the package's own tracer (spans to the worker
 * through the `exporter` sink) records a span only under a sampled parent, and a workflow, signal or
 * update whose headers bring no trace context records nothing. A traced caller (the service, the
 * worker's own client, with tracing on) sends its context, so its bookings are traced as before; an
 * untraced one (tracing off, where the worker's sink dropped every span) no longer builds spans and
 * sends them out of the sandbox to be dropped: issue 14 measured that at about a tenth of the
 * worker's CPU per booking.
 *
 * Replay cannot tell the difference. A span that is not recorded is made by the same interceptor code
 * (the same awaits, the same SDK flags), draws its ids from the workflow's seeded random source as a
 * recorded one does (the SDK draws them before it samples), and still carries its context into the
 * activities' headers, only marked "not sampled"; what is recorded is decided by the headers in the
 * history, never by the worker's configuration.
 */
let workflowTracer: Tracer | undefined;
function parentSampledTracer(): Tracer {
  workflowTracer ??= new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    spanProcessors: [new SimpleSpanProcessor(new SpanExporter())],
  }).getTracer('@temporalio/interceptor-workflow');
  return workflowTracer;
}

/**
 * The OpenTelemetry inbound interceptor minus its query and update-validator spans. Both run outside
 * history (a query; a refused update's speculative task), so whatever they do to the sandbox's state
 * (the span ids they draw from the workflow's seeded random source, the SDK flags they look up) is
 * done live and never on replay. With them, the ops page test's booking (queried between a crew
 * replacement, changes, a refused change and its cancellation) failed to replay for a query after it
 * closed ("Update machine does not handle this event: TimerCanceled"); without them it passes.
 * temporalio/sdk-typescript#2023 reports these two methods breaking determinism.
 */
class ReplaySafeInboundInterceptor extends OpenTelemetryInboundInterceptor {
  // The base class's field has already made (and registered) the package's provider: its context
  // manager and propagator are what this tracer's spans use.
  protected override readonly tracer = parentSampledTracer();

  public override handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) {
    return next(input);
  }

  public override validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    return next(input);
  }
}

/** The OpenTelemetry outbound interceptor (activities, signals, continue-as-new) on the caller-sampled tracer. */
class CallerSampledOutboundInterceptor extends OpenTelemetryOutboundInterceptor {
  protected override readonly tracer = parentSampledTracer();
}

/** Bundled with the workflows (src/telemetry/temporal-tracing.ts, WORKFLOW_INTERCEPTOR_MODULES). */
export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new ReplaySafeInboundInterceptor()],
  outbound: [new CallerSampledOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
