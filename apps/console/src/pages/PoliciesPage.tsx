import { Link } from 'wouter';
import { AsyncSection } from '../components/AsyncSection';
import { Page } from '../components/common';
import { DataTable } from '../components/DataTable';
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
      <AsyncSection resource={policies} empty={t('policies.none')}>
        {(rows) => (
          <DataTable
            caption={t('policies.title')}
            columns={[
              t('policies.name'),
              t('policies.groups'),
              t('policies.lists'),
              t('policies.latestVersion'),
              t('policies.effectiveAt'),
            ]}
            rows={rows}
            rowKey={(policy) => policy.slug}
            renderCells={(policy) => (
              <>
                <td>
                  <Link href={`/policies/${policy.slug}`}>{policy.name}</Link>
                  <br />
                  <code>{policy.slug}</code>
                </td>
                <td>{policy.groups.join(', ')}</td>
                <td>{[...policy.blockLists, ...policy.allowLists].join(', ')}</td>
                <td>{policy.latestVersion || t('policies.neverPublished')}</td>
                <td>{policy.effectiveAt ? format.date(policy.effectiveAt) : t('policies.immediately')}</td>
              </>
            )}
          />
        )}
      </AsyncSection>
    </Page>
  );
}
