/**
 * How long each call to another system may take, and how long an activity attempt may take, in one
 * table: an attempt must end (its calls answered or given up on) before Temporal's start-to-close
 * timeout, or Temporal starts the next attempt while the old one still runs and two attempts overlap.
 *
 *   attempt worst case = per-call timeout x SDK attempts per call x calls in a row  <  start-to-close
 *
 * The clients read their timeouts from here (src/clients, src/publish/aws-clients.ts,
 * src/mail/transport.ts) and the workflow its profiles; test/unit/domain/time-budgets.test.ts checks
 * that every sum holds. Pure data: the workflow sandbox imports it.
 */

/** JADA and SCC over fetch: no retries inside a call (Temporal retries the attempt). */
export const HTTP_CALL = { timeoutMs: 10_000, attempts: 1 } as const;

/**
 * S3 and CloudFront through the AWS SDK: each call is tried up to `attempts` times (for the 5xx,
 * throttling and timeouts a call can absorb quickly), each try bounded by
 * `requestTimeoutMs` of silence and `connectTimeoutMs` to connect. `backoffMs` bounds what the
 * retry strategy (src/publish/aws-retry.ts) waits between them in all.
 */
export const AWS_CALL = { requestTimeoutMs: 5_000, connectTimeoutMs: 2_000, attempts: 3, backoffMs: 3_000 } as const;

/** SMTP through nodemailer: connect, greeting and every silence each bounded; one send per attempt. */
export const SMTP_CALL = { timeoutMs: 10_000 } as const;

/** A marketplace calendar feed over fetch: one conditional GET of at most 5 MB, no retries inside it. */
export const FEED_CALL = { timeoutMs: 20_000 } as const;

/**
 * Temporal visibility and queries, from the digest and roster activities: each list page and each
 * booking's `status` query bounded by a deadline; at most VISIBILITY_LIMITS.bookings queried, that
 * many at once.
 */
export const VISIBILITY_CALL = { timeoutMs: 5_000 } as const;
export const VISIBILITY_LIMITS = { bookings: 120, queriesAtOnce: 8, listPages: 4, pageSize: 100 } as const;

const awsCallMs = AWS_CALL.attempts * (AWS_CALL.connectTimeoutMs + AWS_CALL.requestTimeoutMs) + AWS_CALL.backoffMs;
const httpCallMs = HTTP_CALL.attempts * HTTP_CALL.timeoutMs;
/** Connection, greeting, then the session's commands, each with its own bound. */
const smtpSendMs = 3 * SMTP_CALL.timeoutMs;

export interface ActivityProfile {
  startToCloseMs: number;
  /** Set where an attempt heartbeats, so a worker that died mid-attempt is noticed in seconds. */
  heartbeatMs?: number;
  /** The longest an attempt can run when every call waits out its timeouts. */
  worstCaseMs: number;
  /** What the worst case is made of, for the reader. */
  calls: string;
}

export const ACTIVITY_PROFILES = {
  /** JADA calendar entry, SCC crew event: find by external id, then create. */
  externalApi: {
    startToCloseMs: 30_000,
    worstCaseMs: 2 * httpCallMs,
    calls: 'GET by external id, then POST',
  },
  /**
   * The guest page on every site: per site (sites in parallel) the page and calendar file (in
   * parallel), then the invalidation, which must follow the puts.
   */
  publishing: {
    startToCloseMs: 120_000,
    heartbeatMs: 20_000,
    worstCaseMs: 2 * awsCallMs,
    calls: 'S3 puts (parallel), then CreateInvalidation, per site in parallel',
  },
  /** One email: claim it in the sent-mail ledger, send it, record it (src/mail/ledger.ts). */
  mail: {
    startToCloseMs: 180_000,
    heartbeatMs: 20_000,
    worstCaseMs: 4 * awsCallMs + smtpSendMs + 2 * awsCallMs,
    calls: 'claim (S3: conditional put, read, take-over put, read), SMTP send, record (S3: conditional put, read)',
  },
  /** A calendar feed: one conditional GET, then parsing at most 5 MB (a second or two). */
  feedFetch: {
    startToCloseMs: 60_000,
    heartbeatMs: 20_000,
    worstCaseMs: FEED_CALL.timeoutMs + 10_000,
    calls: 'GET the feed (If-None-Match / If-Modified-Since), then parse it',
  },
  /** The digest's or the rosters' bookings: list pages, then each booking's status query in batches. */
  visibility: {
    startToCloseMs: 120_000,
    heartbeatMs: 20_000,
    worstCaseMs:
      (VISIBILITY_LIMITS.listPages + Math.ceil(VISIBILITY_LIMITS.bookings / VISIBILITY_LIMITS.queriesAtOnce)) *
      VISIBILITY_CALL.timeoutMs,
    calls: 'ListWorkflowExecutions pages, then the status query of each booking, a batch at a time',
  },
} as const satisfies Record<string, ActivityProfile>;

/** How often a heartbeating activity tells Temporal it is alive: well inside its heartbeat timeout. */
export const HEARTBEAT_EVERY_MS = 5_000;

/** How long a claim in the sent-mail ledger holds off other attempts: longer than its send and record. */
export const MAIL_CLAIM_LEASE_MS = 90_000;

/**
 * What every call to another system takes besides its input: the activity attempt's cancellation,
 * so an attempt Temporal has given up on (timed out, cancelled, worker shutting down) stops calling.
 */
export interface CallOptions {
  signal?: AbortSignal;
}
