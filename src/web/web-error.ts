import { HallmonitorError, type Disposition } from '../errors/hallmonitor-error.js';
import { StoreError } from '../store/errors.js';

/** Why a request was refused; the message is shown to the person and never names content or people. */
export type WebErrorCode =
  /** No session, or it ended: sign in (303 to /sign-in for pages). */
  | 'signed-out'
  /** The role may not do this. */
  | 'forbidden'
  /** A form without the token bound to this session (or the sign-in cookie). */
  | 'csrf'
  /** A field is missing or unusable. */
  | 'bad-request'
  /** No such record, or its body was destroyed by retention. */
  | 'not-found'
  /** The message is no longer held: someone else decided first. */
  | 'conflict'
  /** Redis or the database did not answer: try again. */
  | 'unavailable'
  /** A sender's link whose time is up. */
  | 'expired';

const STATUS: Record<WebErrorCode, number> = {
  'signed-out': 401,
  forbidden: 403,
  csrf: 403,
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
  expired: 410,
};

export class WebError extends HallmonitorError {
  override readonly name = 'WebError';
  readonly statusCode: number;
  /** Only `unavailable` may work if tried again; every other refusal stands. */
  readonly disposition: Disposition;

  constructor(
    readonly code: WebErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.statusCode = STATUS[code];
    this.disposition = code === 'unavailable' ? 'temporary' : 'permanent';
  }
}

/** For `.catch`: the store's `not-found` becomes the refusal the page gives (the cause kept for the log); any other error stays as it was. */
export function refusedWhenNotFound(refusal: (cause: StoreError) => WebError): (error: unknown) => never {
  return (error) => {
    throw error instanceof StoreError && error.code === 'not-found' ? refusal(error) : error;
  };
}
