import { Link } from 'wouter';
import { AsyncSection } from '../components/AsyncSection';
import { Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import type { Rollout } from '../types';
import { useApi } from '../use-api';

export default function RolloutsPage() {
  const t = useT();
  const format = useFormat();
  const rollouts = useApi<Rollout[]>('/v1/rollouts?limit=50', 5000);
  return (
    <Page title={t('rollouts.title')}>
      <AsyncSection resource={rollouts} empty={t('rollouts.none')}>
        {(rows) => (
          <DataTable
            caption={t('rollouts.title')}
            columns={[
              t('rollouts.policy'),
              t('rollouts.state'),
              t('rollouts.startsAt'),
              t('rollouts.devices'),
              t('rollouts.done'),
            ]}
            rows={rows}
            rowKey={(r) => r.id}
            renderCells={(r) => (
              <>
                <td>
                  <Link href={`/rollouts/${r.id}`}>
                    {t('rollouts.policyVersion', { policy: r.policy, version: r.version })}
                  </Link>
                </td>
                <td>{t(`rolloutState.${r.state}` as MessageKey)}</td>
                <td>{format.date(r.startsAt)}</td>
                <td>{format.number(r.total)}</td>
                <td>{t('rollouts.percentDone', { percent: r.percentDone })}</td>
              </>
            )}
          />
        )}
      </AsyncSection>
    </Page>
  );
}
