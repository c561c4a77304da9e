import { Button } from '@codegouvfr/react-dsfr/Button';
import { useState } from 'react';
import { useParams } from 'wouter';
import { api } from '../api';
import { confirmed, ErrorAlert, Loading, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import { useCan } from '../session';
import { DELIVERY_STATES, type RolloutDetail } from '../types';
import { useApi } from '../use-api';

/** Progress is re-read every few seconds while the page is open. */
const POLL_MS = 3000;

export default function RolloutPage() {
  const t = useT();
  const format = useFormat();
  const can = useCan();
  const { id } = useParams<{ id: string }>();
  const rollout = useApi<RolloutDetail>(`/v1/rollouts/${encodeURIComponent(id)}`, POLL_MS);
  const [actionError, setActionError] = useState<unknown>();
  const steer = async (action: 'pause' | 'resume' | 'cancel') => {
    try {
      await api.post(`/v1/rollouts/${encodeURIComponent(id)}/${action}`);
      setActionError(undefined);
      rollout.reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  const r = rollout.data;
  const steerable = r && (r.state === 'running' || r.state === 'scheduled' || r.state === 'paused');
  return (
    <Page
      title={r ? t('rollouts.policyVersion', { policy: r.policy, version: r.version }) : t('rollouts.title')}
      actions={
        r && can.write && steerable ? (
          <>
            {/* The API pauses only a running rollout and resumes only a paused one. */}
            {r.state === 'paused' ? (
              <Button priority="secondary" iconId="fr-icon-play-line" onClick={() => void steer('resume')}>
                {t('rollout.resume')}
              </Button>
            ) : r.state === 'running' ? (
              <Button
                priority="secondary"
                iconId="fr-icon-pause-circle-line"
                onClick={() => void steer('pause')}
              >
                {t('rollout.pause')}
              </Button>
            ) : null}
            <Button
              priority="tertiary"
              iconId="fr-icon-close-circle-line"
              onClick={() => confirmed(t('confirm.cancelRollout')) && void steer('cancel')}
            >
              {t('rollout.cancel')}
            </Button>
          </>
        ) : null
      }
    >
      <ErrorAlert error={rollout.error ?? actionError} />
      {rollout.loading && !r ? <Loading /> : null}
      {r ? (
        <>
          <p>
            <span className="fr-badge fr-badge--info fr-badge--no-icon" data-testid="rollout-state">
              {t(`rolloutState.${r.state}` as MessageKey)}
            </span>{' '}
            {t('rollout.startsAt', { date: format.date(r.startsAt) })}
          </p>
          <label htmlFor="rollout-progress">{t('rollout.progress', { percent: r.percentDone })}</label>
          <progress
            id="rollout-progress"
            max={100}
            value={r.percentDone}
            className="fr-mb-3w"
            style={{ width: '100%' }}
          />
          <div className="console-counts" aria-live="polite">
            {DELIVERY_STATES.map((state) => (
              <div key={state} className="console-count">
                <strong>{format.number(r.counts[state] ?? 0)}</strong>
                {t(`delivery.${state}` as MessageKey)}
              </div>
            ))}
          </div>
          <h2>{t('rollout.reasons')}</h2>
          {r.reasons.length === 0 ? <p>{t('rollout.noReasons')}</p> : null}
          {r.reasons.length > 0 ? (
            <DataTable
              caption={t('rollout.reasons')}
              columns={[t('rollouts.state'), t('rollout.reason'), t('common.devices')]}
              rows={r.reasons}
              rowKey={(reason) => `${reason.state}:${reason.reason}`}
              renderCells={(reason) => (
                <>
                  <td>{t(`delivery.${reason.state}` as MessageKey)}</td>
                  <td>{reason.reason}</td>
                  <td>{format.number(reason.count)}</td>
                </>
              )}
            />
          ) : null}
          {r.failedJobs.length > 0 ? (
            <>
              <h2>{t('rollout.failedJobs')}</h2>
              <ul>
                {r.failedJobs.map((job, i) => (
                  <li key={i}>
                    <code className="console-pre">{JSON.stringify(job)}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
