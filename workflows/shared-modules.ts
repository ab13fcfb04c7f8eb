/**
 * The modules every workflow in a worker shares, evaluated once in the reusable V8 context before any
 * workflow exists (the bundle's `preloadModules`, see src/config/workflow-bundle.ts). Without this each
 * cached booking evaluates its own copy of them: the sandbox keeps a module cache per workflow.
 *
 * The SDK deep-freezes what this module loads once it has run, so only code whose loaded state never
 * changes belongs here:
 * - zod itself (its classes, locale, registries), after the warm-up below;
 * - src/domain modules without module-level schemas.
 * Not here: modules that build zod schemas at load (booking.ts, change-request.ts). zod fills a
 * schema's lazy properties on first use ("Cannot define property safeParse, object is not extensible"
 * on a frozen one), so each workflow keeps its own schemas, built on the shared zod.
 */
// eslint-disable-next-line no-restricted-imports -- zod is preloaded here, not used by workflow code
import { object, string, util } from 'zod';

// zod writes to two module-level objects on first use: the first schema stores a memoizer in its
// global config, the first object parse caches whether `new Function` works (util.allowsEval). Both
// happen here, before the freeze; a workflow doing either first would throw.
object({ warm: string() }).safeParse({ warm: '' });
void util.allowsEval.value;

// eslint-disable-next-line no-restricted-imports -- as above
export * as zod from 'zod';
export * as bookingChanges from '../src/domain/booking-changes';
export * as crew from '../src/domain/crew';
export * as feedSync from '../src/domain/feed-sync';
export * as lifecycle from '../src/domain/lifecycle';
export * as lifecyclePlan from '../src/domain/lifecycle-plan';
export * as time from '../src/domain/time';
export * as timeBudgets from '../src/domain/time-budgets';
export * as validation from '../src/domain/validation';
