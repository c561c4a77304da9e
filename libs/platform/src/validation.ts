import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      // class-validator words unknown fields "property x should not exist"; name the full path.
      message.startsWith('property ')
        ? `${path}: unknown field`
        : `${path}: ${message.replace(`${error.property} `, '')}`,
    );
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * Request validation that strips nothing silently: an unknown field is a 400 naming it, as is every
 * field that breaks its DTO's rules.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
  });
}
