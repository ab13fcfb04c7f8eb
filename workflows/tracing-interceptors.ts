import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  Next,
  QueryInput,
  UpdateInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
} from '@temporalio/workflow';

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
  public override handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>) {
    return next(input);
  }

  public override validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    return next(input);
  }
}

/** Bundled with the workflows (src/telemetry/temporal-tracing.ts, WORKFLOW_INTERCEPTOR_MODULES). */
export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new ReplaySafeInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
