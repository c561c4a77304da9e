import type { ApiHarness } from './api-harness.js';
import type { OidcTestProvider } from '../fakes/oidc-provider.js';

/** The console's public address in tests: supertest drives the api, so it only names the redirect URI. */
export const CONSOLE_URL = 'http://127.0.0.1:3000';

export interface SetCookie {
  value: string;
  attributes: string[];
}

export interface SignInOutcome {
  /** Where the callback (or the login, when it stopped there) redirected the browser. */
  location: string;
  cookies: Map<string, SetCookie>;
  /** `rempart_session=...; rempart_csrf=...`, to send back. */
  cookieHeader: string;
  csrfToken: string | undefined;
}

export function setCookies(header: string[] | string | undefined): Map<string, SetCookie> {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const cookies = new Map<string, SetCookie>();
  for (const line of lines) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const index = pair.indexOf('=');
    cookies.set(pair.slice(0, index), { value: pair.slice(index + 1), attributes });
  }
  return cookies;
}

/**
 * A browser's sign-in with plain HTTP: /auth/login, the provider's login form, /auth/callback.
 * `tamper` may change the callback URL the provider sent back before it reaches the api.
 */
export async function signInToConsole(
  api: ApiHarness,
  provider: OidcTestProvider,
  email: string,
  options: { returnTo?: string; password?: string; tamper?: (callback: URL) => void | Promise<void> } = {},
): Promise<SignInOutcome> {
  const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
  const login = await api.http().get(`/auth/login${query}`);
  if (login.status !== 302) throw new Error(`/auth/login answered ${login.status}`);
  const loginLocation = login.headers.location as string;
  const transaction = setCookies(login.headers['set-cookie']).get('rempart_signin');
  if (!transaction)
    return { location: loginLocation, cookies: new Map(), cookieHeader: '', csrfToken: undefined };
  const callback = await provider.signIn(loginLocation, { email, password: options.password });
  if (!callback.href.startsWith(`${CONSOLE_URL}/auth/callback`)) {
    throw new Error(`the provider sent the browser to ${callback.href}, not to the console's callback`);
  }
  await options.tamper?.(callback);
  const back = await api
    .http()
    .get(`${callback.pathname}${callback.search}`)
    .set('Cookie', `rempart_signin=${transaction.value}`);
  if (back.status !== 302)
    throw new Error(`/auth/callback answered ${back.status}: ${JSON.stringify(back.body)}`);
  const cookies = setCookies(back.headers['set-cookie']);
  const session = cookies.get('rempart_session')?.value;
  const csrf = cookies.get('rempart_csrf')?.value;
  return {
    location: back.headers.location as string,
    cookies,
    cookieHeader: session ? `rempart_session=${session}; rempart_csrf=${csrf}` : '',
    csrfToken: csrf || undefined,
  };
}
