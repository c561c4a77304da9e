import { Link } from 'wouter';
import { ErrorAlert, Loading, Page } from '../components/common';
import { useFormat, useT } from '../i18n/i18n';
import { useCan } from '../session';
import type { Policy } from '../types';
import { useApi } from '../use-api';

export default function PoliciesPage() {
  const t = useT();
  const format = useFormat();
  const can = useCan();
  const policies = useApi<Policy[]>('/v1/policies');
  return (
    <Page
      title={t('policies.title')}
      actions={
        can.write ? (
          <Link className="fr-btn fr-btn--icon-left fr-icon-add-line" href="/policies/new">
            {t('policies.new')}
          </Link>
        ) : null
      }
    >
      <ErrorAlert error={policies.error} />
      {policies.loading ? <Loading /> : null}
      {policies.data && policies.data.length === 0 ? <p>{t('policies.none')}</p> : null}
      {policies.data && policies.data.length > 0 ? (
        <div className="fr-table fr-table--no-caption">
          <table>
            <caption>{t('policies.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('policies.name')}</th>
                <th scope="col">{t('policies.groups')}</th>
                <th scope="col">{t('policies.lists')}</th>
                <th scope="col">{t('policies.latestVersion')}</th>
                <th scope="col">{t('policies.effectiveAt')}</th>
              </tr>
            </thead>
            <tbody>
              {policies.data.map((policy) => (
                <tr key={policy.slug}>
                  <td>
                    <Link href={`/policies/${policy.slug}`}>{policy.name}</Link>
                    <br />
                    <code>{policy.slug}</code>
                  </td>
                  <td>{policy.groups.join(', ')}</td>
                  <td>{[...policy.blockLists, ...policy.allowLists].join(', ')}</td>
                  <td>{policy.latestVersion || t('policies.neverPublished')}</td>
                  <td>{policy.effectiveAt ? format.date(policy.effectiveAt) : t('policies.immediately')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}
