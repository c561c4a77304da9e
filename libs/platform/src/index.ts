export { createLogger, PinoNestLogger } from './logger.js';
export { requestContext, currentRequestId } from './request-context.js';
export { DomainException, NotFoundDomainException, ConflictDomainException } from './domain.exception.js';
export { HttpExceptionFilter, errorBody } from './http-exception.filter.js';
export type { ErrorBody } from './http-exception.filter.js';
export { createValidationPipe, fieldErrors, ValidationFailed, JsonBodyRequired } from './validation.js';
export type { FieldError } from './validation.js';
export { MetricsService, MetricsEndpoint } from './metrics.js';
export { PlatformModule } from './platform.module.js';
export { Public, IS_PUBLIC } from './public.decorator.js';
export { createHttpApp, jsonBody, smimeBody, yamlBody } from './http-app.js';
export { redisOptionsFromUrl, assertRedisReachable, RedisUnavailableError } from './redis.js';
export { preflight, exitWithOneLine } from './preflight.js';
export {
  inputGuardMiddleware,
  findInputProblem,
  InputRefused,
  MAX_JSON_DEPTH,
} from './input-guard.middleware.js';
export { BoundedIntPipe, MAX_INT32, UuidParamPipe } from './int-param.pipe.js';
export { AuthFailureLimiter, TooManyAuthFailures, clientAddress } from './auth-failure-limiter.js';
export {
  announceListening,
  isListeningMessage,
  listenerUrl,
  listenWithMetrics,
  logShutdown,
  runHttpProcess,
} from './lifecycle.js';
export type { HttpProcess, ListeningMessage } from './lifecycle.js';
export {
  ApiDoc,
  ApiErrors,
  ApiFileResponse,
  ApiJsonBody,
  ApiNoContent,
  ApiOfficerController,
  ApiPathParam,
  ErrorResponse,
  FieldErrorResponse,
} from './openapi.js';
export { IsIsoDateTime, parseIsoDateTime, ISO_DATE_FORMATS } from './iso-date.js';
export type { IsoDateParse } from './iso-date.js';
export { CannotChange } from './cannot-change.js';
