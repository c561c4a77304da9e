import type { NextFunction, Request, Response } from 'express';
import { errorBody } from './http-exception.filter.js';
import { DomainException } from './domain.exception.js';

/**
 * JSON bodies deeper than this are refused before validation: class-transformer and class-validator
 * walk them recursively, and 5,000 levels overflow the stack (a 500). No request of ours nests past 10.
 */
export const MAX_JSON_DEPTH = 32;

export class InputRefused extends DomainException {
  constructor(code: 'NUL_BYTE' | 'TOO_DEEP' | 'BAD_URL_ENCODING', message: string) {
    super(code, message, 400);
  }
}

function decodedPath(req: Request): string {
  try {
    return decodeURIComponent(req.path);
  } catch {
    throw new InputRefused('BAD_URL_ENCODING', 'path: malformed percent-encoding');
  }
}

/**
 * The first problem in a parsed JSON value or query object: a NUL byte in a key or string (PostgreSQL
 * text cannot hold one, so it would fail as a 500 deep in a query), or nesting past `MAX_JSON_DEPTH`.
 * Iterative, so that the check itself cannot overflow the stack. `root` names the top (e.g. "body").
 */
export function findInputProblem(value: unknown, root: string): InputRefused | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return new InputRefused('NUL_BYTE', `${path}: contains a NUL byte`);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      return new InputRefused('TOO_DEEP', `${path}: nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (Buffer.isBuffer(current)) continue; // raw bodies (phones' plists) are parsed by their own code
    const entries: Array<[string, unknown]> = Array.isArray(current)
      ? current.map((item, i) => [`[${i}]`, item])
      : Object.entries(current).map(([key, item]) => [key, item]);
    for (const [key, item] of entries) {
      if (key.includes('\u0000')) return new InputRefused('NUL_BYTE', `${path}: a key contains a NUL byte`);
      const childPath = key.startsWith('[') ? `${path}${key}` : path === '' ? key : `${path}.${key}`;
      stack.push({ value: item, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Runs after the body parsers, before routing: refuses NUL bytes in the path, the query and JSON
 * bodies, and over-deep JSON, with a 400 naming where. One place for every route of every process.
 */
export function inputGuardMiddleware() {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      if (decodedPath(req).includes('\u0000'))
        throw new InputRefused('NUL_BYTE', 'path: contains a NUL byte');
      const body: unknown = req.body;
      const problem =
        findInputProblem(req.query, '') ??
        (typeof body === 'string' && body.includes('\u0000') // text bodies (YAML list imports)
          ? new InputRefused('NUL_BYTE', 'body: contains a NUL byte')
          : Buffer.isBuffer(body) || typeof body !== 'object'
            ? undefined
            : findInputProblem(body, ''));
      if (problem) throw problem;
      next();
    } catch (error) {
      const body = errorBody(error);
      res.status(body.statusCode).json(body);
    }
  };
}
