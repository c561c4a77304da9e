import { Link } from 'wouter';
import { ErrorAlert, Loading, Page } from '../components/common';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import type { Rollout } from '../types';
import { useApi } from '../use-api';

export default function RolloutsPage() {
  const t = useT();
  const format = useFormat();
  const rollouts = useApi<Rollout[]>('/v1/rollouts?limit=50', 5000);
  return (
    <Page title={t('rollouts.title')}>
      <ErrorAlert error={rollouts.error} />
      {rollouts.loading ? <Loading /> : null}
      {rollouts.data && rollouts.data.length === 0 ? <p>{t('rollouts.none')}</p> : null}
      {rollouts.data && rollouts.data.length > 0 ? (
        <div className="fr-table fr-table--no-caption">
          <table>
            <caption>{t('rollouts.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rollouts.policy')}</th>
                <th scope="col">{t('rollouts.state')}</th>
                <th scope="col">{t('rollouts.startsAt')}</th>
                <th scope="col">{t('rollouts.devices')}</th>
                <th scope="col">{t('rollouts.done')}</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/rollouts/${r.id}`}>
                      {t('rollouts.policyVersion', { policy: r.policy, version: r.version })}
                    </Link>
                  </td>
                  <td>{t(`rolloutState.${r.state}` as MessageKey)}</td>
                  <td>{format.date(r.startsAt)}</td>
                  <td>{format.number(r.total)}</td>
                  <td>{r.percentDone} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}
