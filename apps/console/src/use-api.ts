import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * GET `path` (null: nothing yet) and keep the answer; `pollMs` re-reads it while the page is open
 * (rollout progress). A later answer replaces an earlier one only if it is for the current path.
 */
export function useApi<T>(path: string | null, pollMs?: number): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(path !== null);
  const [generation, setGeneration] = useState(0);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (first: boolean) => {
      if (first) setLoading(true);
      try {
        const answer = await api.get<T>(path);
        if (cancelled || current.current !== path) return;
        setData(answer);
        setError(undefined);
      } catch (failure) {
        if (!cancelled) setError(failure);
      } finally {
        if (!cancelled) {
          setLoading(false);
          if (pollMs) timer = setTimeout(() => void load(false), pollMs);
        }
      }
    };
    void load(true);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [path, pollMs, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
