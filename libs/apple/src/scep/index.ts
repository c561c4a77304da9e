export {
  SCEP_CAPABILITIES,
  SCEP_CONTENT_TYPES,
  ScepServer,
  describeScepCaProblems,
  scepErrorResponse,
} from './scep-server.js';
export type {
  ScepCa,
  ScepCsrRequest,
  ScepDecision,
  ScepHandleResult,
  ScepHttpRequest,
  ScepOperation,
  ScepOutcome,
  ScepPkiOperationResult,
  ScepRequestMessageType,
  ScepResponse,
  ScepServerOptions,
} from './scep-server.js';
export { ScepError } from './scep-error.js';
export type { ScepErrorCode } from './scep-error.js';
export type { ScepFailInfo, ScepPkiStatus } from './scep-types.js';
export { createScepRequest, readCertRep } from './scep-client.js';
export type { CreateScepRequestOptions, ScepCertRep, ScepRequestMessage } from './scep-client.js';
