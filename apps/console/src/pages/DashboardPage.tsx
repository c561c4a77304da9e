import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { lazy, Suspense } from 'react';
import { Link } from 'wouter';
import { ApiError } from '../api';
import { COMPLIANCE_STATUSES, ErrorAlert, Loading, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import type { BannedApp, ComplianceSummary, TrendDay } from '../types';
import { useApi } from '../use-api';

// The chart library loads only when the trend has arrived, after the counts are on screen.
const TrendChart = lazy(() => import('../components/TrendChart'));

interface PushCertificate {
  topic: string;
  notAfter: string;
  expiresInDays: number;
  warning: string | null;
}
interface Enterprise {
  enterpriseName: string;
  displayName: string | null;
  working: boolean;
  error: string | null;
  lastSyncAt: string | null;
}

const missing = (error: unknown) => error instanceof ApiError && error.status === 404;

export default function DashboardPage() {
  const t = useT();
  const format = useFormat();
  const summary = useApi<ComplianceSummary>('/v1/compliance/summary');
  const trend = useApi<TrendDay[]>('/v1/compliance/trend?days=30');
  const apps = useApi<BannedApp[]>('/v1/compliance/apps');
  const push = useApi<PushCertificate>('/v1/apple/push-certificate');
  const enterprise = useApi<Enterprise>('/v1/android/enterprise');
  return (
    <Page title={t('dashboard.title')}>
      <section aria-labelledby="health-title" className="fr-mb-4w">
        <h2 id="health-title" className="fr-sr-only">
          {t('dashboard.health')}
        </h2>
        {push.data ? (
          <Alert
            className="fr-mb-2w"
            small
            severity={push.data.warning ? (push.data.expiresInDays < 0 ? 'error' : 'warning') : 'success'}
            description={
              push.data.warning
                ? push.data.expiresInDays < 0
                  ? t('dashboard.pushExpired', {
                      topic: push.data.topic,
                      date: format.day(push.data.notAfter),
                    })
                  : t('dashboard.pushExpiring', {
                      topic: push.data.topic,
                      count: push.data.expiresInDays,
                      date: format.day(push.data.notAfter),
                    })
                : t('dashboard.pushOk', { topic: push.data.topic, date: format.day(push.data.notAfter) })
            }
          />
        ) : missing(push.error) ? (
          <Alert className="fr-mb-2w" small severity="warning" description={t('dashboard.pushMissing')} />
        ) : (
          <ErrorAlert error={push.error} />
        )}
        {enterprise.data ? (
          <Alert
            className="fr-mb-2w"
            small
            severity={enterprise.data.working ? 'success' : 'error'}
            description={
              enterprise.data.working
                ? t('dashboard.androidOk', {
                    name: enterprise.data.displayName ?? enterprise.data.enterpriseName,
                  })
                : t('dashboard.androidBroken', { error: enterprise.data.error ?? '' })
            }
          />
        ) : missing(enterprise.error) ? (
          <Alert className="fr-mb-2w" small severity="info" description={t('dashboard.androidMissing')} />
        ) : (
          <ErrorAlert error={enterprise.error} />
        )}
      </section>

      <section aria-labelledby="counts-title">
        <h2 id="counts-title">{t('dashboard.counts', { count: summary.data?.total ?? 0 })}</h2>
        <ErrorAlert error={summary.error} />
        {summary.loading ? <Loading /> : null}
        {summary.data ? (
          <ul className="console-counts fr-raw-list">
            {COMPLIANCE_STATUSES.map((status) => (
              <li key={status} className="console-count">
                <strong>{format.number(summary.data!.counts[status] ?? 0)}</strong>
                <Link href={`/devices?status=${status}`}>{t(`status.${status}` as MessageKey)}</Link>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <section aria-labelledby="trend-title" className="fr-mb-4w">
        <h2 id="trend-title">{t('dashboard.trend')}</h2>
        <ErrorAlert error={trend.error} />
        {trend.data && trend.data.every((day) => day.counts === null) ? (
          <p>{t('dashboard.noSnapshots')}</p>
        ) : trend.data ? (
          <Suspense fallback={<Loading />}>
            <TrendChart days={trend.data} />
          </Suspense>
        ) : (
          <Loading />
        )}
      </section>

      <section aria-labelledby="apps-title">
        <h2 id="apps-title">{t('dashboard.bannedApps')}</h2>
        <ErrorAlert error={apps.error} />
        {apps.data && apps.data.length === 0 ? <p>{t('dashboard.noBannedApps')}</p> : null}
        {apps.data && apps.data.length > 0 ? (
          <DataTable
            caption={t('dashboard.bannedApps')}
            columns={[
              t('common.app'),
              t('dashboard.identifiers'),
              t('common.devices'),
              t('dashboard.groups'),
            ]}
            rows={apps.data.slice(0, 10)}
            rowKey={(app) => app.app}
            renderCells={(app) => (
              <>
                <td>{app.name ?? app.app}</td>
                <td>
                  {app.identifiers.map((id) => (
                    <code key={id} className="fr-mr-1w">
                      {id}
                    </code>
                  ))}
                </td>
                <td>{format.number(app.devices)}</td>
                <td>{format.number(app.groups)}</td>
              </>
            )}
          />
        ) : null}
      </section>
    </Page>
  );
}
