import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { query } from '../api';
import { AsyncSection } from '../components/AsyncSection';
import { COMPLIANCE_STATUSES, ComplianceBadge, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { FilterForm } from '../components/FilterForm';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import type { ComplianceDevice, Group } from '../types';
import { useDescribeReasons } from '../components/reasons';
import { useApi } from '../use-api';

const PAGE_SIZE = 50;
const FILTERS = ['q', 'status', 'group', 'platform', 'supervised'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** Devices with their compliance, filtered and paged by the server (100,000 stay fast). */
export default function DevicesPage() {
  const t = useT();
  const format = useFormat();
  const describeReasons = useDescribeReasons();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Filters;
  const page = Math.max(0, Number(search.get('page') ?? '0') || 0);
  const [draft, setDraft] = useState<Filters>(filters);
  const groups = useApi<Group[]>('/v1/groups');
  const devices = useApi<ComplianceDevice[]>(
    `/v1/compliance/devices${query({ ...filters, limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE })}`,
  );
  const go = (next: Filters, nextPage: number) =>
    navigate(`/devices${query({ ...next, page: nextPage || undefined })}`);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    go(draft, 0);
  };
  const hasNext = (devices.data?.length ?? 0) > PAGE_SIZE;
  // The same filters as the list: the file holds the devices on screen (all pages).
  const csv = `/v1/compliance/export.csv${query({ ...filters })}`;
  const set = (key: keyof Filters, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  return (
    <Page
      title={t('devices.title')}
      actions={
        <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href={csv} download>
          {t('devices.exportCsv')}
        </a>
      }
    >
      <FilterForm label={t('devices.filters')} onApply={apply}>
        <Input
          label={t('devices.search')}
          hintText={t('devices.searchHint')}
          nativeInputProps={{
            value: draft.q,
            onChange: (e) => set('q', e.target.value),
            name: 'q',
            type: 'search',
          }}
        />
        <Select
          label={t('devices.status')}
          nativeSelectProps={{
            value: draft.status,
            onChange: (e) => set('status', e.target.value),
            name: 'status',
          }}
        >
          <option value="">{t('common.all')}</option>
          {COMPLIANCE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}` as MessageKey)}
            </option>
          ))}
        </Select>
        <Select
          label={t('common.group')}
          nativeSelectProps={{
            value: draft.group,
            onChange: (e) => set('group', e.target.value),
            name: 'group',
          }}
        >
          <option value="">{t('common.all')}</option>
          {(groups.data ?? []).map((g) => (
            <option key={g.slug} value={g.slug}>
              {g.name}
            </option>
          ))}
        </Select>
        <Select
          label={t('common.platform')}
          nativeSelectProps={{
            value: draft.platform,
            onChange: (e) => set('platform', e.target.value),
            name: 'platform',
          }}
        >
          <option value="">{t('common.all')}</option>
          <option value="ios">{t('platform.ios')}</option>
          <option value="android">{t('platform.android')}</option>
        </Select>
        <Select
          label={t('devices.supervised')}
          nativeSelectProps={{
            value: draft.supervised,
            onChange: (e) => set('supervised', e.target.value),
            name: 'supervised',
          }}
        >
          <option value="">{t('common.all')}</option>
          <option value="true">{t('common.yes')}</option>
          <option value="false">{t('common.no')}</option>
        </Select>
      </FilterForm>
      <AsyncSection resource={devices} empty={t('devices.none')}>
        {(found) => (
          <DataTable
            caption={t('devices.caption', { page: page + 1 })}
            columns={[
              t('devices.device'),
              t('common.group'),
              t('common.platform'),
              t('devices.status'),
              t('devices.reasons'),
              t('devices.lastSeen'),
            ]}
            // One more than a page is asked for, only to know whether there is a next page.
            rows={found.slice(0, PAGE_SIZE)}
            rowKey={(d) => d.udid}
            renderCells={(d) => (
              <>
                <td>
                  <Link href={`/devices/${encodeURIComponent(d.udid)}`}>
                    {d.deviceName ?? d.serialNumber ?? d.udid}
                  </Link>
                  {d.serialNumber ? (
                    <>
                      <br />
                      <code>{d.serialNumber}</code>
                    </>
                  ) : null}
                </td>
                <td>{d.group}</td>
                <td>
                  {t(d.platform === 'ios' ? 'platform.ios' : 'platform.android')}
                  {d.platform === 'ios' && d.supervised === false ? ` (${t('devices.unsupervised')})` : ''}
                </td>
                <td>
                  <ComplianceBadge status={d.status} />
                </td>
                <td>{describeReasons(d.reasons)}</td>
                <td>{format.date(d.lastSeenAt)}</td>
              </>
            )}
          />
        )}
      </AsyncSection>
      <nav role="navigation" aria-label={t('devices.pagination')} className="console-actions">
        <Button
          priority="secondary"
          disabled={page === 0}
          onClick={() => go(filters, page - 1)}
          iconId="fr-icon-arrow-left-line"
        >
          {t('common.previous')}
        </Button>
        <Button
          priority="secondary"
          disabled={!hasNext}
          onClick={() => go(filters, page + 1)}
          iconId="fr-icon-arrow-right-line"
          iconPosition="right"
        >
          {t('common.next')}
        </Button>
      </nav>
    </Page>
  );
}
