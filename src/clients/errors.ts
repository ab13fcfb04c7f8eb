/**
 * What can go wrong talking to JADA or SCC, sorted by what ops or Temporal should do about it:
 * fix configuration (auth, stripped key), fix the request (rejected), or retry (unavailable).
 * Messages reach ops through Temporal failures, so they name the system and the fix and never carry a
 * credential or request header value.
 */

export type ExternalSystem = 'JADA' | 'SCC';

/** Each kind of failure, and whether trying the same request again can succeed. */
const RETRYABLE = {
  ExternalAuthError: false,
  SccKeyStrippedError: false,
  ExternalRejectedError: false,
  ExternalUnavailableError: true,
} as const;

export type ExternalErrorType = keyof typeof RETRYABLE;

export abstract class ExternalError extends Error {
  abstract override readonly name: ExternalErrorType;

  get retryable(): boolean {
    return RETRYABLE[this.name];
  }

  constructor(
    readonly system: ExternalSystem,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** 401/403: the credential is wrong or lacks rights; retrying cannot help. */
export class ExternalAuthError extends ExternalError {
  override readonly name = 'ExternalAuthError';
}

/**
 * SCC answered 401 through CloudFront, which drops X-Service-Key on its way to the origin: the key may
 * well be right, the URL is not.
 */
export class SccKeyStrippedError extends ExternalError {
  override readonly name = 'SccKeyStrippedError';

  constructor(host: string) {
    super(
      'SCC',
      `SCC answered 401 through CloudFront (${host}): the key was stripped: use the origin URL. ` +
        'CloudFront strips the X-Service-Key header, so SCC_API_URL must be the API Gateway origin, not the CDN ' +
        'domain. (If it already is the origin, the service key itself is wrong.)',
      401,
    );
  }
}

/** Any other 4xx (or a redirect we refuse to follow): the request itself must change. */
export class ExternalRejectedError extends ExternalError {
  override readonly name = 'ExternalRejectedError';
}

/** 5xx, 408/429, timeouts, connection failures and success answers we cannot read: worth retrying. */
export class ExternalUnavailableError extends ExternalError {
  override readonly name = 'ExternalUnavailableError';
}
