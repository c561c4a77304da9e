import { CatalogError } from '#libs/catalog';
import { DomainException } from '#libs/platform';
import { PolicyConflictError, PolicyError } from './policy-error.js';

/** Catalog and policy errors carry no HTTP status; this gives each its 4xx (a conflict is a 409). */
export function toDomainException(error: unknown): unknown {
  if (error instanceof PolicyConflictError) return new DomainException(error.code, error.message, 409);
  if (error instanceof PolicyError) return new DomainException(error.code, error.message, 400);
  if (error instanceof CatalogError) return new DomainException(error.code, error.message, 400);
  return error;
}

/** Runs `work`, turning catalog and policy errors into domain exceptions. */
export async function withDomainErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toDomainException(error);
  }
}
