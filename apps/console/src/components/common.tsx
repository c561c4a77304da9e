import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../api';
import { useT, type MessageKey } from '../i18n/i18n';

/** The browser's own confirmation (keyboard and screen-reader friendly) before an action that cannot be undone. */
export function confirmed(question: string): boolean {
  return window.confirm(question);
}

export function Loading() {
  const t = useT();
  return (
    <p role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

/** A failed call as a DSFR alert: the API's message names the field or the reason. */
export function ErrorAlert({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  let description = t('common.unexpectedError');
  if (error instanceof ApiError) {
    if (error.status === 403) description = t('common.forbidden');
    else if (error.status === 404) description = t('common.notFound');
    else description = error.message;
    if (error.code === 'CSRF') description = t('common.csrf');
  } else if (error instanceof Error && !(error instanceof TypeError)) {
    description = error.message;
  }
  return (
    <Alert
      className="fr-mb-3w"
      severity="error"
      title={t('common.errorTitle')}
      description={description}
      small={false}
    />
  );
}

export function Page({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — Rempart`;
  }, [title]);
  return (
    <div className="fr-container fr-py-4w">
      <div className="console-page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="console-actions">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}

const STATUS_SEVERITY: Record<string, 'success' | 'error' | 'warning' | 'info' | 'new' | undefined> = {
  compliant: 'success',
  non_compliant: 'error',
  pending: 'info',
  unenforceable: 'warning',
  stale: 'warning',
  unknown: undefined,
};

export function ComplianceBadge({ status }: { status: string }) {
  const t = useT();
  return (
    <Badge severity={STATUS_SEVERITY[status]} small noIcon>
      {t(`status.${status}` as MessageKey)}
    </Badge>
  );
}

export const COMPLIANCE_STATUSES = [
  'compliant',
  'non_compliant',
  'pending',
  'unenforceable',
  'stale',
  'unknown',
] as const;
