import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
} from '@nestjs/swagger';

/**
 * The OpenAPI side of the officer API in one place: the error body every 4xx/5xx shares, and the
 * decorators that keep each controller's documentation short. test/api/openapi.e2e-spec.ts fails
 * when an operation lacks a summary, a description, a response schema, a body example or a
 * parameter description.
 */

export class FieldErrorResponse {
  @ApiProperty({ example: 'groups[2]', description: 'the field, list entry or query parameter' })
  field!: string;

  @ApiProperty({ example: 'must be a string' })
  message!: string;
}

/** `{statusCode, error, message, code?, requestId, errors?}`: what every failure answers. */
export class ErrorResponse {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request', description: 'the HTTP reason phrase' })
  error!: string;

  @ApiProperty({
    example: 'slug: is required; name: must be a string',
    description: 'what went wrong and what to fix; for a validation failure, `field: message` joined by `; `',
  })
  message!: string;

  @ApiPropertyOptional({
    example: 'VALIDATION_FAILED',
    description: 'stable code of a domain error, for scripts (e.g. GROUP_EXISTS, ROLE_INSUFFICIENT)',
  })
  code?: string;

  @ApiProperty({ example: '3f1c0a4e-5b7d-4c1e-9a2b-0d6e8f7a9b1c', description: 'also in X-Request-Id' })
  requestId!: string;

  @ApiPropertyOptional({
    type: [FieldErrorResponse],
    description: 'validation failures only: each field and what to fix, in the order of `message`',
  })
  errors?: FieldErrorResponse[];
}

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Bad input: `message` and `errors` name each field and what to fix',
  401: 'No bearer token, or one that is malformed, unknown, expired, revoked or of a disabled officer',
  403: 'The officer’s role is below the one this route needs (the message names it)',
  404: 'Nothing of that name in the caller’s tenant (another tenant’s objects are 404 too)',
  409: 'Conflicts with the current state (a duplicate slug, a shipped read-only list, a wrong state)',
  413: 'The body is larger than API_BODY_LIMIT_BYTES',
  415: 'The body is not JSON: send it with Content-Type: application/json',
  422: 'Understood but refused by the other party or by a rule (the message says which)',
  429: 'Too many failed authentications from this address; see Retry-After',
  502: 'Apple or Google answered with an error (the message quotes it)',
  503: 'A service this route needs is unreachable or busy; try again later',
};

/** Documents error statuses, each with the shared error body. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_MEANINGS[status] ?? 'Error', type: ErrorResponse }),
    ),
  );
}

/** The officer API's controllers: bearer token, so any route may answer 401 (and 429 after many). */
export function ApiOfficerController() {
  return applyDecorators(ApiBearerAuth('bearer'), ApiErrors(401, 429));
}

/** Summary (one line, a verb first) and description (what it does, who may, what to know). */
export function ApiDoc(summary: string, description: string) {
  return ApiOperation({ summary, description });
}

/** A JSON request body with its DTO and one or more named examples. */
export function ApiJsonBody(
  type: Type<unknown>,
  examples: Record<string, { summary?: string; value: unknown }>,
) {
  return ApiBody({ type, examples });
}

/** A path parameter with what it names; a number example makes it a positive integer. */
export function ApiPathParam(name: string, description: string, example?: string | number) {
  return typeof example === 'number'
    ? ApiParam({ name, description, schema: { type: 'integer', minimum: 1, example } })
    : ApiParam({ name, description, example, type: String });
}

/** A response that is a file, not JSON. */
export function ApiFileResponse(status: number, mediaType: string, description: string) {
  return ApiResponse({
    status,
    description,
    content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } },
  });
}

/** A response without a body (204). */
export function ApiNoContent(description: string) {
  return ApiResponse({ status: 204, description });
}
