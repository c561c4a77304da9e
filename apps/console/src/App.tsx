import { Header } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { api, ApiError, SIGNED_OUT_EVENT } from './api';
import { ErrorAlert, Loading } from './components/common';
import { useLang, useT, type MessageKey } from './i18n/i18n';
import { SignInPage } from './pages/SignInPage';
import { SessionProvider, type Me } from './session';

// Each page is its own chunk: the first page loads only the shell and itself.
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const PoliciesPage = lazy(() => import('./pages/PoliciesPage'));
const PolicyFormPage = lazy(() => import('./pages/PolicyFormPage'));
const PolicyPage = lazy(() => import('./pages/PolicyPage'));
const EnrollmentsPage = lazy(() => import('./pages/EnrollmentsPage'));
const RolloutsPage = lazy(() => import('./pages/RolloutsPage'));
const RolloutPage = lazy(() => import('./pages/RolloutPage'));
const DevicesPage = lazy(() => import('./pages/DevicesPage'));
const DevicePage = lazy(() => import('./pages/DevicePage'));
const ListsPage = lazy(() => import('./pages/ListsPage'));
const ListFormPage = lazy(() => import('./pages/ListFormPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const AdministrationPage = lazy(() => import('./pages/AdministrationPage'));

const NAVIGATION: Array<{ href: string; label: MessageKey; adminOnly?: boolean }> = [
  { href: '/', label: 'nav.dashboard' },
  { href: '/policies', label: 'nav.policies' },
  { href: '/lists', label: 'nav.lists' },
  { href: '/enrollments', label: 'nav.enrollments' },
  { href: '/rollouts', label: 'nav.rollouts' },
  { href: '/devices', label: 'nav.devices' },
  { href: '/audit', label: 'nav.audit' },
  { href: '/administration', label: 'nav.administration', adminOnly: true },
];

const ROUTES: Array<[string, ComponentType]> = [
  ['/', DashboardPage],
  ['/policies', PoliciesPage],
  ['/policies/new', PolicyFormPage],
  ['/policies/:slug/edit', PolicyFormPage],
  ['/policies/:slug', PolicyPage],
  ['/lists', ListsPage],
  ['/lists/new', ListFormPage],
  ['/lists/:slug', ListFormPage],
  ['/enrollments', EnrollmentsPage],
  ['/rollouts', RolloutsPage],
  ['/rollouts/:id', RolloutPage],
  ['/devices', DevicesPage],
  ['/devices/:udid', DevicePage],
  ['/audit', AuditPage],
  ['/administration', AdministrationPage],
];

type SessionState =
  | { kind: 'loading' }
  | { kind: 'signedOut'; expired?: boolean }
  | { kind: 'signedIn'; me: Me }
  | { kind: 'error'; error: unknown };

export function App() {
  const [session, setSession] = useState<SessionState>({ kind: 'loading' });
  useEffect(() => {
    const signedOut = (event: Event) =>
      setSession({
        kind: 'signedOut',
        expired: (event as CustomEvent<string | undefined>).detail === 'SESSION_EXPIRED',
      });
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, []);
  useEffect(() => {
    api
      .get<Me>('/v1/me')
      .then((me) => setSession({ kind: 'signedIn', me }))
      .catch((error: unknown) =>
        setSession(
          error instanceof ApiError && error.status === 401
            ? { kind: 'signedOut' }
            : { kind: 'error', error },
        ),
      );
  }, []);
  return (
    <>
      <SkipLinksForPage />
      <ConsoleHeader me={session.kind === 'signedIn' ? session.me : undefined} />
      <main id="content" tabIndex={-1}>
        {session.kind === 'loading' ? (
          <div className="fr-container fr-py-4w">
            <Loading />
          </div>
        ) : session.kind === 'signedOut' ? (
          <SignInPage expired={session.expired} />
        ) : session.kind === 'error' ? (
          <div className="fr-container fr-py-4w">
            <ErrorAlert error={session.error} />
          </div>
        ) : (
          <SessionProvider me={session.me}>
            <Suspense
              fallback={
                <div className="fr-container fr-py-4w">
                  <Loading />
                </div>
              }
            >
              <Switch>
                {ROUTES.map(([path, Component]) => (
                  <Route key={path} path={path} component={Component} />
                ))}
                <Route>
                  <NotFound />
                </Route>
              </Switch>
            </Suspense>
          </SessionProvider>
        )}
      </main>
    </>
  );
}

function SkipLinksForPage() {
  const t = useT();
  return <SkipLinks links={[{ label: t('nav.skipToContent'), anchor: '#content' }]} />;
}

function NotFound() {
  const t = useT();
  return (
    <div className="fr-container fr-py-4w">
      <h1>{t('common.pageNotFound')}</h1>
    </div>
  );
}

/** Ends the console session, then the provider's too when it has an end-session URL. */
async function signOut() {
  let next = '/';
  try {
    const answer = await api.post<{ endSessionUrl?: string } | undefined>('/auth/logout');
    if (answer && typeof answer === 'object' && answer.endSessionUrl) next = answer.endSessionUrl;
  } finally {
    window.location.assign(next);
  }
}

function ConsoleHeader({ me }: { me: Me | undefined }) {
  const { lang, setLang, t } = useLang();
  const [location] = useLocation();
  const other = lang === 'fr' ? 'en' : 'fr';
  const isActive = (href: string) => (href === '/' ? location === '/' : location.startsWith(href));
  return (
    <Header
      brandTop={
        <>
          République
          <br />
          Française
        </>
      }
      serviceTitle="Rempart"
      serviceTagline={t('app.tagline')}
      homeLinkProps={{ href: '/', title: t('app.home') }}
      quickAccessItems={[
        {
          iconId: 'fr-icon-translate-2',
          buttonProps: { onClick: () => setLang(other), lang: other },
          text: t('nav.switchLanguage'),
        },
        ...(me
          ? [
              {
                iconId: 'fr-icon-account-circle-line' as const,
                buttonProps: { disabled: true, 'aria-disabled': true },
                text: `${me.email ?? me.tenant} (${t(`role.${me.role}` as MessageKey)})`,
              },
              {
                iconId: 'fr-icon-logout-box-r-line' as const,
                buttonProps: { onClick: () => void signOut() },
                text: t('nav.signOut'),
              },
            ]
          : []),
      ]}
      navigation={
        me
          ? NAVIGATION.filter((item) => !item.adminOnly || me.role === 'admin').map((item) => ({
              text: t(item.label),
              linkProps: { href: item.href },
              isActive: isActive(item.href),
            }))
          : undefined
      }
    />
  );
}
