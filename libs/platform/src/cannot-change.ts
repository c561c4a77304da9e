import { ValidateBy } from 'class-validator';

/**
 * A field a PATCH body may not carry (it names what the request cannot change, such as a slug):
 * present at all, it is a 400 naming the field and `reason`, rather than being ignored.
 */
export function CannotChange(reason: string): PropertyDecorator {
  return ValidateBy({
    name: 'cannotChange',
    validator: {
      validate: (value: unknown) => value === undefined,
      defaultMessage: (args) => `${args?.property ?? 'field'} cannot be changed: ${reason}`,
    },
  });
}
