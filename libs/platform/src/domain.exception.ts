/**
 * An error the caller can act on. Each domain throws its own codes; the HTTP edge maps them to a
 * status (never 500) and the CLI to one line on stderr.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 502 | 503 = 400,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundDomainException extends DomainException {
  constructor(what: string, key: string) {
    super('NOT_FOUND', `${what} ${JSON.stringify(key)} was not found`, 404);
  }
}

export class ConflictDomainException extends DomainException {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}
