import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
// After the package: its first import patches the sandbox (`performance`) that sdk-trace-base needs at load.
import type { Tracer } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import {
  workflowInfo,
  type Next,
  type QueryInput,
  type UpdateInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
} from '@temporalio/workflow';

/**
 * Bookings are started by a caller that traces them or not: the service's intake, the feed sync's
 * activity, ops from the Temporal UI. The scheduled workflows (feed sync, digest, rosters) have no
 * such caller and are each their own trace, as before.
 */
const CALLER_SAMPLED_WORKFLOWS: ReadonlySet<string> = new Set(['bookingLifecycle', 'bookingFulfillment']);

/** A span with no parent: not recorded in a booking, recorded in any other workflow. */
const rootSampler: Sampler = {
  shouldSample: () => ({
    decision: CALLER_SAMPLED_WORKFLOWS.has(workflowInfo().workflowType)
      ? SamplingDecision.NOT_RECORD
      : SamplingDecision.RECORD_AND_SAMPLED,
  }),
  toString: () => 'BookingsFollowTheirCaller',
};

/**
 * A booking's spans are sampled by its callers: the package's own tracer setup (spans to the worker
 * through the `exporter` sink), but a span records only under a sampled parent, so a booking, signal
 * or update whose headers bring no trace context records nothing. A traced caller (the service or
 * the worker's own client, with tracing on) sends its context, and its bookings are traced as
 * before; with tracing off nothing sends any, and the workflow no longer builds every span for the
 * worker's sink to drop (issue 14 measured what that cost: README, "Tests").
 *
 * Replay cannot tell the difference. A span that is not recorded is made by the same interceptor code
 * (the same awaits, the same SDK flags), draws its ids from the workflow's seeded random source as a
 * recorded one does (the SDK draws them before it samples), and still carries its context into the
 * activities' headers, only marked "not sampled". What is recorded follows from the headers in the
 * history, never from the worker's configuration.
 */
let workflowTracer: Tracer | undefined;
function callerSampledTracer(): Tracer {
  workflowTracer ??= new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: rootSampler }),
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
  protected override readonly tracer = callerSampledTracer();

  public override handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) {
    return next(input);
  }

  public override validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    return next(input);
  }
}

/** The OpenTelemetry outbound interceptor (activities, signals, continue-as-new) on the caller-sampled tracer. */
class CallerSampledOutboundInterceptor extends OpenTelemetryOutboundInterceptor {
  protected override readonly tracer = callerSampledTracer();
}

/** Bundled with the workflows (src/telemetry/temporal-tracing.ts, WORKFLOW_INTERCEPTOR_MODULES). */
export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new ReplaySafeInboundInterceptor()],
  outbound: [new CallerSampledOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
