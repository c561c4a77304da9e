import { AmapiError } from '#libs/android';
import { DomainException } from '#libs/platform';

/**
 * An AMAPI failure as the officer sees it: Google refusing what we asked (4xx) is a 422 naming
 * Google's reason; Google unreachable or failing after our retries is a 502.
 */
export function amapiFailure(what: string, error: unknown): DomainException {
  if (!(error instanceof AmapiError)) throw error;
  if (error.status >= 400 && error.status < 500) {
    return new DomainException(
      'AMAPI_REFUSED',
      `${what}: AMAPI answered ${error.status} ${error.reason}: ${error.message}`,
      422,
    );
  }
  return new DomainException(
    'AMAPI_UNAVAILABLE',
    `${what}: AMAPI did not answer (${error.status || error.reason}) after retries: ${error.message}`,
    502,
  );
}

/** Runs an AMAPI call, turning its failure into a domain exception. */
export async function callAmapi<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw amapiFailure(what, error);
  }
}
