import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { createModal } from '@codegouvfr/react-dsfr/Modal';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api } from '../api';
import { ErrorAlert, Loading, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat, useT } from '../i18n/i18n';
import { useCan } from '../session';
import type { Policy, PolicyImpact, PolicyVersion, PublishResult } from '../types';
import { useApi } from '../use-api';

const publishModal = createModal({ id: 'publish-policy', isOpenedByDefault: false });

interface IdentifierChanges {
  added: string[];
  removed: string[];
}
interface BanSpecDiff {
  mode: { from: string; to: string } | null;
  ios: { blocked: IdentifierChanges; allowed: IdentifierChanges };
  android: { blocked: IdentifierChanges; allowed: IdentifierChanges; forceInstalled: IdentifierChanges };
  changed: boolean;
}

export default function PolicyPage() {
  const t = useT();
  const format = useFormat();
  const can = useCan();
  const { slug } = useParams<{ slug: string }>();
  const [, navigate] = useLocation();
  const path = `/v1/policies/${encodeURIComponent(slug)}`;
  const policy = useApi<Policy>(path);
  const versions = useApi<PolicyVersion[]>(`${path}/versions`);
  const [impactPath, setImpactPath] = useState<string | null>(null);
  const impact = useApi<PolicyImpact>(impactPath);
  const [publishError, setPublishError] = useState<unknown>();
  const [publishing, setPublishing] = useState(false);

  const preview = () => {
    setImpactPath(`${path}/impact?at=${Date.now()}`);
  };
  const askToPublish = () => {
    if (!impactPath) preview();
    publishModal.open();
  };
  const publish = async () => {
    setPublishing(true);
    try {
      const result = await api.post<PublishResult>(`${path}/versions`);
      publishModal.close();
      navigate(`/rollouts/${result.rolloutId}`);
    } catch (failure) {
      setPublishError(failure);
    } finally {
      setPublishing(false);
    }
  };

  const p = policy.data;
  const effective =
    p?.effectiveAt && new Date(p.effectiveAt) > new Date() ? format.date(p.effectiveAt) : null;
  return (
    <Page
      title={p?.name ?? slug}
      actions={
        p && can.write ? (
          <>
            <Link
              className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-edit-line"
              href={`/policies/${slug}/edit`}
            >
              {t('common.edit')}
            </Link>
            <Button iconId="fr-icon-send-plane-line" onClick={askToPublish}>
              {t('policy.publish')}
            </Button>
          </>
        ) : null
      }
    >
      <ErrorAlert error={policy.error} />
      {policy.loading ? <Loading /> : null}
      {p ? (
        <>
          <dl className="fr-mb-4w">
            <dt className="fr-text--bold">{t('policies.groups')}</dt>
            <dd>{p.groups.join(', ') || '—'}</dd>
            <dt className="fr-text--bold">{t('policyForm.blockLists')}</dt>
            <dd>{p.blockLists.join(', ') || '—'}</dd>
            <dt className="fr-text--bold">{t('policyForm.allowLists')}</dt>
            <dd>{p.allowLists.join(', ') || '—'}</dd>
            <dt className="fr-text--bold">{t('policyForm.mode')}</dt>
            <dd>{t(p.mode === 'blocklist' ? 'policyForm.modeBlocklist' : 'policyForm.modeAllowlist')}</dd>
            <dt className="fr-text--bold">{t('policies.effectiveAt')}</dt>
            <dd>{p.effectiveAt ? format.date(p.effectiveAt) : t('policies.immediately')}</dd>
            <dt className="fr-text--bold">{t('policies.latestVersion')}</dt>
            <dd>{p.latestVersion || t('policies.neverPublished')}</dd>
          </dl>

          <section aria-labelledby="impact-title" className="fr-mb-6w">
            <h2 id="impact-title">{t('impact.title')}</h2>
            <p>{t('impact.explain')}</p>
            <Button priority="secondary" iconId="fr-icon-search-line" onClick={preview}>
              {t('impact.preview')}
            </Button>
            <ErrorAlert error={impact.error} />
            {impact.loading ? <Loading /> : null}
            {impact.data ? <ImpactReport impact={impact.data} /> : null}
          </section>

          <VersionHistory slug={slug} versions={versions.data ?? []} />

          {can.write ? (
            <publishModal.Component
              title={t('publish.title', { version: impact.data?.nextVersion ?? (p.latestVersion ?? 0) + 1 })}
              buttons={[
                { children: t('common.cancel'), doClosesModal: true },
                {
                  children: t('publish.confirm'),
                  onClick: () => void publish(),
                  doClosesModal: false,
                  disabled: publishing,
                },
              ]}
            >
              {impact.data ? (
                <p>
                  {effective ? t('publish.effectiveLater', { date: effective }) : t('publish.effectiveNow')}{' '}
                  {t('publish.devices', {
                    devices: t('count.devices', { count: impact.data.devices }),
                    unsupervised: t('count.unsupervisedIphones', { count: impact.data.unsupervisedIphones }),
                  })}
                </p>
              ) : (
                <Loading />
              )}
              <ErrorAlert error={publishError} />
            </publishModal.Component>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function ImpactReport({ impact }: { impact: PolicyImpact }) {
  const t = useT();
  const format = useFormat();
  return (
    <div className="fr-mt-3w" aria-live="polite">
      <Alert
        severity={impact.devices > 0 ? 'warning' : 'info'}
        small
        description={t('impact.summary', {
          devices: t('count.devices', { count: impact.devices }),
          unsupervised: t('count.unsupervisedIphones', { count: impact.unsupervisedIphones }),
          version: impact.nextVersion,
        })}
      />
      {impact.groups.length > 0 ? (
        <DataTable
          className="fr-mt-2w"
          caption={t('impact.byGroup')}
          columns={[t('common.group'), t('common.devices')]}
          rows={impact.groups}
          rowKey={(g) => g.group}
          renderCells={(g) => (
            <>
              <td>{g.group}</td>
              <td>{format.number(g.devices)}</td>
            </>
          )}
        />
      ) : null}
      {impact.apps.length > 0 ? (
        <DataTable
          caption={t('impact.byApp')}
          columns={[t('common.app'), t('common.platform'), t('common.devices'), t('impact.unsupervised')]}
          rows={impact.apps}
          rowKey={(a) => `${a.platform}:${a.identifier}`}
          renderCells={(a) => (
            <>
              <td>
                {a.name ?? a.identifier}
                <br />
                <code>{a.identifier}</code>
              </td>
              <td>{t(a.platform === 'ios' ? 'platform.ios' : 'platform.android')}</td>
              <td>{format.number(a.devices)}</td>
              <td>{format.number(a.unsupervisedIphones)}</td>
            </>
          )}
        />
      ) : null}
    </div>
  );
}

function VersionHistory({ slug, versions }: { slug: string; versions: PolicyVersion[] }) {
  const t = useT();
  const format = useFormat();
  const newest = versions.length ? Math.max(...versions.map((v) => v.version)) : 0;
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const left = from ?? Math.max(1, newest - 1);
  const right = to ?? newest;
  const diff = useApi<BanSpecDiff>(
    versions.length > 1 && left !== right
      ? `/v1/policies/${encodeURIComponent(slug)}/versions/${right}/diff?against=${left}`
      : null,
  );
  const base = `/v1/policies/${encodeURIComponent(slug)}/versions`;
  return (
    <section aria-labelledby="versions-title" className="fr-mb-6w">
      <h2 id="versions-title">{t('versions.title')}</h2>
      {versions.length === 0 ? <p>{t('versions.none')}</p> : null}
      {versions.length > 0 ? (
        <DataTable
          caption={t('versions.title')}
          columns={[
            t('versions.version'),
            t('versions.publishedAt'),
            t('policies.effectiveAt'),
            t('versions.publishedBy'),
            t('versions.downloads'),
          ]}
          rows={[...versions].sort((a, b) => b.version - a.version)}
          rowKey={(v) => v.version}
          renderCells={(v) => (
            <>
              <td>{v.version}</td>
              <td>{format.date(v.publishedAt)}</td>
              <td>{format.date(v.effectiveAt)}</td>
              <td>{v.publishedBy}</td>
              <td>
                <a
                  className="fr-link fr-icon-download-line fr-link--icon-left"
                  href={`${base}/${v.version}/profile.mobileconfig`}
                  download={`${slug}-v${v.version}.mobileconfig`}
                >
                  {t('versions.mobileconfig', { version: v.version })}
                </a>
                <br />
                <a
                  className="fr-link fr-icon-download-line fr-link--icon-left"
                  href={`${base}/${v.version}/android-policy.json`}
                  download={`${slug}-v${v.version}-android-policy.json`}
                >
                  {t('versions.androidPolicy', { version: v.version })}
                </a>
              </td>
            </>
          )}
        />
      ) : null}
      {versions.length > 1 ? (
        <>
          <h3>{t('versions.diffTitle')}</h3>
          <div className="console-filters">
            <Select
              label={t('versions.from')}
              nativeSelectProps={{ value: left, onChange: (e) => setFrom(Number(e.target.value)) }}
            >
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </Select>
            <Select
              label={t('versions.to')}
              nativeSelectProps={{ value: right, onChange: (e) => setTo(Number(e.target.value)) }}
            >
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </Select>
          </div>
          <ErrorAlert error={diff.error} />
          {diff.data ? <DiffView diff={diff.data} /> : null}
        </>
      ) : null}
    </section>
  );
}

function DiffView({ diff }: { diff: BanSpecDiff }) {
  const t = useT();
  if (!diff.changed) return <p>{t('versions.noChange')}</p>;
  const rows: Array<[string, IdentifierChanges]> = [
    [t('versions.iosBlocked'), diff.ios.blocked],
    [t('versions.iosAllowed'), diff.ios.allowed],
    [t('versions.androidBlocked'), diff.android.blocked],
    [t('versions.androidAllowed'), diff.android.allowed],
    [t('versions.androidForceInstalled'), diff.android.forceInstalled],
  ];
  return (
    <div aria-live="polite">
      {diff.mode ? <p>{t('versions.modeChanged', { from: diff.mode.from, to: diff.mode.to })}</p> : null}
      <ul>
        {rows
          .filter(([, c]) => c.added.length || c.removed.length)
          .map(([label, c]) => (
            <li key={label}>
              <strong>{label}</strong>
              <ul>
                {c.added.map((id) => (
                  <li key={`+${id}`} className="console-diff-added">
                    {t('versions.added')} <code>{id}</code>
                  </li>
                ))}
                {c.removed.map((id) => (
                  <li key={`-${id}`} className="console-diff-removed">
                    {t('versions.removed')} <code>{id}</code>
                  </li>
                ))}
              </ul>
            </li>
          ))}
      </ul>
    </div>
  );
}
