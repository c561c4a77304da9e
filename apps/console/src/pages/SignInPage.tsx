import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useEffect } from 'react';
import { useT, type MessageKey } from '../i18n/i18n';

/** The codes `/auth/*` sends back as `/?signin_error=<code>`. */
const SIGN_IN_ERRORS = [
  'not_configured',
  'provider_unreachable',
  'not_authorized',
  'provider_error',
  'state_mismatch',
  'expired',
] as const;

/** `expired`: the API said the session timed out while the console was open. */
export function SignInPage({ expired = false }: { expired?: boolean }) {
  const t = useT();
  const params = new URLSearchParams(window.location.search);
  const code = params.get('signin_error') ?? (expired ? 'expired' : null);
  const known = SIGN_IN_ERRORS.find((c) => c === code);
  params.delete('signin_error');
  // The provider's sign-out comes back with its `state`: not part of where to return.
  params.delete('state');
  const rest = params.toString();
  const returnTo = `${window.location.pathname}${rest ? `?${rest}` : ''}`;
  useEffect(() => {
    document.title = `${t('signin.title')} — Rempart`;
  }, [t]);
  return (
    <div className="fr-container fr-py-6w">
      <div className="fr-grid-row fr-grid-row--center">
        <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <h1>{t('signin.title')}</h1>
          {code ? (
            <Alert
              className="fr-mb-3w"
              severity="error"
              title={t('signin.failed')}
              description={t(known ? (`signin.error.${known}` as MessageKey) : 'signin.error.unknown')}
            />
          ) : null}
          <p>{t('signin.explain')}</p>
          {/* A plain link: sign-in leaves the single-page app for the provider. */}
          <a
            className="fr-btn fr-btn--icon-left fr-icon-lock-line"
            href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`}
          >
            {t('signin.button')}
          </a>
        </div>
      </div>
    </div>
  );
}
