import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useState, type FormEvent } from 'react';
import { api, query } from '../api';
import { AsyncSection } from '../components/AsyncSection';
import { ErrorAlert, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { FilterForm } from '../components/FilterForm';
import { useFormat, useT } from '../i18n/i18n';
import { useApi } from '../use-api';

interface AuditEvent {
  seq: number;
  occurredAt: string;
  actor: { id: string | null; label: string };
  action: string;
  target: { type: string; id: string | null };
}
interface AuditPageData {
  items: AuditEvent[];
  nextCursor: number | null;
}
type Verification =
  | { ok: true; checked: number; unsigned: number }
  | { ok: false; checked: number; brokenAt: { seq: number; id: string; reason: string } };

export default function AuditPage() {
  const t = useT();
  const format = useFormat();
  const [draft, setDraft] = useState({ actor: '', action: '', from: '', to: '' });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<number[]>([]);
  const cursor = cursors[cursors.length - 1];
  const events = useApi<AuditPageData>(
    `/v1/audit-events${query({
      actor: filters.actor,
      action: filters.action,
      from: filters.from ? new Date(filters.from).toISOString() : undefined,
      to: filters.to ? new Date(filters.to).toISOString() : undefined,
      cursor,
      limit: 50,
    })}`,
  );
  const [verification, setVerification] = useState<Verification>();
  const [verifyError, setVerifyError] = useState<unknown>();
  const [verifying, setVerifying] = useState(false);
  const verify = async () => {
    setVerifying(true);
    try {
      setVerification(await api.get<Verification>('/v1/audit-events/verification'));
      setVerifyError(undefined);
    } catch (failure) {
      setVerifyError(failure);
    } finally {
      setVerifying(false);
    }
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setCursors([]);
    setFilters(draft);
  };
  const set = (key: keyof typeof draft, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  return (
    <Page
      title={t('audit.title')}
      actions={
        <Button
          iconId="fr-icon-shield-line"
          priority="secondary"
          onClick={() => void verify()}
          disabled={verifying}
        >
          {t('audit.verify')}
        </Button>
      }
    >
      <div aria-live="polite">
        {verification ? (
          <Alert
            className="fr-mb-3w"
            small
            severity={verification.ok ? 'success' : 'error'}
            description={
              verification.ok
                ? t('audit.intact', { count: verification.checked })
                : t('audit.broken', {
                    seq: verification.brokenAt.seq,
                    reason: verification.brokenAt.reason,
                    count: verification.checked,
                  })
            }
          />
        ) : null}
        <ErrorAlert error={verifyError} />
      </div>
      <FilterForm label={t('audit.filters')} onApply={apply}>
        <Input
          label={t('audit.actor')}
          nativeInputProps={{ value: draft.actor, onChange: (e) => set('actor', e.target.value) }}
        />
        <Input
          label={t('audit.action')}
          nativeInputProps={{ value: draft.action, onChange: (e) => set('action', e.target.value) }}
        />
        <Input
          label={t('audit.from')}
          nativeInputProps={{
            type: 'datetime-local',
            value: draft.from,
            onChange: (e) => set('from', e.target.value),
          }}
        />
        <Input
          label={t('audit.to')}
          nativeInputProps={{
            type: 'datetime-local',
            value: draft.to,
            onChange: (e) => set('to', e.target.value),
          }}
        />
      </FilterForm>
      <AsyncSection resource={events}>
        {(page) => (
          <DataTable
            caption={t('audit.title')}
            columns={['#', t('audit.when'), t('audit.actor'), t('audit.action'), t('audit.target')]}
            rows={page.items}
            rowKey={(e) => e.seq}
            renderCells={(e) => (
              <>
                <td>{e.seq}</td>
                <td>{format.date(e.occurredAt)}</td>
                <td>{e.actor.label}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.target.type} {e.target.id ?? ''}
                </td>
              </>
            )}
          />
        )}
      </AsyncSection>
      <nav aria-label={t('devices.pagination')} className="console-actions">
        <Button
          priority="secondary"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          {t('common.previous')}
        </Button>
        <Button
          priority="secondary"
          disabled={!events.data?.nextCursor}
          onClick={() => events.data?.nextCursor && setCursors((c) => [...c, events.data!.nextCursor!])}
        >
          {t('common.next')}
        </Button>
      </nav>
    </Page>
  );
}
