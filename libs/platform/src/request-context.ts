import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  /** The request's Content-Type header, for errors that say which one to send. */
  contentType?: string;
  /** Whether the request carries a body (Content-Length above 0, or chunked). */
  hasBody: boolean;
}

/** Carries the request id through every await of a request, so that each log line can name it. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
