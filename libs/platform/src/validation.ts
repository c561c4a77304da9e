import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { DomainException } from './domain.exception.js';
import { currentRequest } from './request-context.js';

/** One problem of a request, as the error body's `errors` lists them: where, and what to fix. */
export interface FieldError {
  /** `slug`, `rules[1].group`, `groups[0]`, `against` (a query parameter), `body`. */
  field: string;
  message: string;
}

/**
 * A request that breaks its DTO's rules: one message per field, every field at once. `message` joins
 * them (`field: what to fix; ...`) and the body's `errors` lists them one by one.
 */
export class ValidationFailed extends DomainException {
  constructor(
    readonly errors: FieldError[],
    code = 'VALIDATION_FAILED',
  ) {
    super(code, errors.map((e) => `${e.field}: ${e.message}`).join('; '), 400);
  }
}

/** A body sent as something else than JSON to a route that reads JSON. */
export class JsonBodyRequired extends DomainException {
  constructor(contentType: string | undefined) {
    super(
      'JSON_BODY_REQUIRED',
      `body: send it as JSON with the header Content-Type: application/json (got ${contentType ? `Content-Type: ${contentType}` : 'no Content-Type'})`,
      415,
    );
  }
}

const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Of the rules a value breaks, the one worth saying: a wrong type first ("must be a string" says more
 * than "must be shorter than 200 characters" about a number), else the first rule as the DTO lists it.
 * class-validator records a property's decorators bottom-up, so the DTO's order is the reverse.
 */
function chooseConstraint(constraints: Record<string, string>): [string, string] {
  const entries = Object.entries(constraints).reverse();
  return entries.find(([name]) => TYPE_CONSTRAINTS.has(name)) ?? entries[0];
}

const TYPE_CONSTRAINTS = new Set([
  'isDefined',
  'isString',
  'isArray',
  'isBoolean',
  'isInt',
  'isNumber',
  'isObject',
  'isDate',
  'isIn',
  'isEnum',
]);

/** "name must be a string" -> "must be a string"; "each value in groups must be" -> "must be". */
function withoutSubject(message: string, property: string): string {
  for (const prefix of [`each value in ${property} `, `${property} `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}

/**
 * The indexes of the entries of an array that break an `{ each: true }` rule: class-validator says
 * only "each value in x must be ...", so the rule is run again on each entry through its metadata.
 * Undefined when the rule cannot be found or is asynchronous (then the field is named as a whole).
 */
function failingEntries(error: ValidationError, constraintName: string): number[] | undefined {
  const target = error.target;
  if (!target || !Array.isArray(error.value)) return undefined;
  const storage = getMetadataStorage();
  const rules = storage
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .filter((rule) => rule.propertyName === error.property && rule.each && rule.constraintCls);
  for (const rule of rules) {
    const constraint = storage
      .getTargetValidatorConstraints(rule.constraintCls)
      .find((candidate) => candidate.name === constraintName);
    if (!constraint) continue;
    const failing: number[] = [];
    for (const [index, entry] of (error.value as unknown[]).entries()) {
      const valid: unknown = constraint.instance.validate(entry, {
        value: entry,
        constraints: rule.constraints,
        targetName: target.constructor.name,
        object: target,
        property: error.property,
      });
      if (typeof valid !== 'boolean') return undefined;
      if (!valid) failing.push(index);
    }
    return failing.length > 0 ? failing : undefined;
  }
  return undefined;
}

const childPath = (parent: string, property: string) =>
  /^\d+$/.test(property) ? `${parent}[${property}]` : parent ? `${parent}.${property}` : property;

/**
 * class-validator's errors as one message per field: an unknown field is "unknown field", a missing
 * one "is required" (not every rule it would have to meet), a list names each bad entry (`groups[2]`).
 */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error): FieldError[] => {
    const field = childPath(parent, error.property) || 'body';
    const constraints = error.constraints ?? {};
    const children = fieldErrors(error.children ?? [], field);
    if (Object.keys(constraints).length === 0) return children;
    if ('whitelistValidation' in constraints) return [{ field, message: 'unknown field' }];
    if (error.value === undefined) return [{ field, message: 'is required' }];
    const [name, message] = chooseConstraint(constraints);
    // class-validator's wording ("each value in nested property x must be either object or array").
    if (name === 'nestedValidation') return [{ field, message: 'must be an object' }, ...children];
    const entries = Array.isArray(error.value) ? failingEntries(error, name) : undefined;
    const text = withoutSubject(message, error.property);
    if (entries) return [...entries.map((i) => ({ field: `${field}[${i}]`, message: text })), ...children];
    return [{ field, message: text }, ...children];
  });
}

/**
 * Request validation that strips nothing silently: an unknown field is a 400 naming it, as is every
 * field that breaks its DTO's rules; a body that is not JSON is a 415 saying to send JSON.
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && this.toValidate(metadata)) {
      const request = currentRequest();
      if (request?.hasBody && !JSON_CONTENT_TYPE.test(request.contentType ?? '')) {
        throw new JsonBodyRequired(request.contentType);
      }
      if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object' }]);
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // The target lets an `each` rule be run again per entry (failingEntries); it never leaves here.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => new ValidationFailed(fieldErrors(errors)),
  });
}
