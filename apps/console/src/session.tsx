import { createContext, useContext, type ReactNode } from 'react';

export type Role = 'admin' | 'officer' | 'auditor';

export interface Me {
  tenant: string;
  officerId: string | null;
  email: string | null;
  role: Role;
}

const SessionContext = createContext<Me | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside SessionProvider');
  return me;
}

/** What the console shows; the API enforces the same roles whatever the console shows. */
export function useCan() {
  const { role } = useMe();
  return { write: role === 'officer' || role === 'admin', administer: role === 'admin' };
}
