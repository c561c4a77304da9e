/*
 * The demo's sign-in provider: the test OpenID Connect provider (test/fakes/oidc-provider.ts) with
 * the demo tenant's officers, so that the console can be opened while the demo runs.
 */
import { type OidcTestProvider, startOidcProvider } from '../test/fakes/oidc-provider.js';

const DEMO_PASSWORD = 'rempart-demo';
const ROLE_CLAIM = 'rempart_role';

export interface DemoSignIn {
  /** OIDC_* and CONSOLE_PUBLIC_URL for the api. */
  env: Record<string, string>;
  /** How to sign in, to print. */
  instructions: string[];
  stop: () => Promise<void>;
}

/** Starts the provider for a console at http://127.0.0.1:<apiPort>/ whose demo tenant is `tenant`. */
export async function startDemoSignIn(apiPort: number, tenant: string): Promise<DemoSignIn> {
  const consoleUrl = `http://127.0.0.1:${apiPort}`;
  // The admin the demo creates with the CLI, and an auditor whom the first sign-in creates from the claim.
  const admin = `rssi@${tenant}.gouv.fr`;
  const auditor = `auditeur@${tenant}.gouv.fr`;
  const provider: OidcTestProvider = await startOidcProvider({
    redirectUris: [`${consoleUrl}/auth/callback`],
    users: [
      { email: admin, password: DEMO_PASSWORD },
      { email: auditor, password: DEMO_PASSWORD, claims: { [ROLE_CLAIM]: 'auditor' } },
    ],
  });
  return {
    env: {
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_ROLE_CLAIM: ROLE_CLAIM,
      OIDC_TENANT: tenant,
      CONSOLE_PUBLIC_URL: consoleUrl,
    },
    instructions: [
      `  console ${consoleUrl}/ (sign-in provider ${provider.issuer})`,
      `  sign in as ${admin} (admin) or ${auditor} (auditor), password ${DEMO_PASSWORD}`,
    ],
    stop: provider.stop,
  };
}

/** With DEMO_CONSOLE=1 the demo waits for Ctrl-C before stopping, so the console can be used. */
export async function holdForConsole(say: (line: string) => void): Promise<void> {
  if (process.env.DEMO_CONSOLE !== '1') return;
  say('\nDEMO_CONSOLE=1: the console stays up; Ctrl-C stops the demo');
  await new Promise<never>(() => undefined);
}
