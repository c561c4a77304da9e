import type { ReactNode } from 'react';
import type { Resource } from '../use-api';
import { ErrorAlert, Loading } from './common';

/**
 * What a page shows for one loaded resource, in the order officers know: the failure (the load's,
 * else `error`, e.g. a failed action), "Loading…" while the first answer is awaited, `empty` when
 * the answer is an empty list, and otherwise `children` with the answer.
 */
export function AsyncSection<T>({
  resource,
  error,
  empty,
  children,
}: {
  resource: Pick<Resource<T>, 'data' | 'error' | 'loading'>;
  error?: unknown;
  /** Shown instead of `children` for an empty list; without it an empty list still goes to `children`. */
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { data } = resource;
  const isEmpty = empty !== undefined && Array.isArray(data) && data.length === 0;
  return (
    <>
      <ErrorAlert error={resource.error ?? error} />
      {resource.loading ? <Loading /> : null}
      {data !== undefined && isEmpty ? <p>{empty}</p> : null}
      {data !== undefined && !isEmpty ? children(data) : null}
    </>
  );
}
