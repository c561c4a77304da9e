import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { AsyncSection } from '../components/AsyncSection';
import { confirmed, ErrorAlert, Loading, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { GroupCreator } from '../components/GroupCreator';
import { useFormat, useT } from '../i18n/i18n';
import { useCan } from '../session';
import type { Enrollment, Group } from '../types';
import { useApi } from '../use-api';

export default function EnrollmentsPage() {
  const t = useT();
  const format = useFormat();
  const can = useCan();
  const enrollments = useApi<Enrollment[]>('/v1/enrollments');
  const [created, setCreated] = useState<Enrollment>();
  const [error, setError] = useState<unknown>();
  const revoke = async (id: string) => {
    try {
      await api.delete(`/v1/enrollments/${id}`);
      enrollments.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Page title={t('enrollments.title')}>
      {can.write ? (
        <EnrollmentForm
          onCreated={(enrollment) => {
            setCreated(enrollment);
            enrollments.reload();
          }}
        />
      ) : null}
      {created ? <CreatedEnrollment enrollment={created} /> : null}
      <h2>{t('enrollments.existing')}</h2>
      <AsyncSection resource={enrollments} error={error} empty={t('enrollments.none')}>
        {(rows) => (
          <DataTable
            caption={t('enrollments.existing')}
            columns={[
              t('common.group'),
              t('common.platform'),
              t('enrollments.uses'),
              t('enrollments.expiresAt'),
              t('enrollments.state'),
              can.write ? t('common.actions') : null,
            ]}
            rows={rows}
            rowKey={(e) => e.id}
            renderCells={(e) => (
              <>
                <td>{e.group}</td>
                <td>{t(e.platform === 'ios' ? 'platform.ios' : 'platform.android')}</td>
                <td>
                  {e.uses}
                  {e.maxUses ? ` / ${e.maxUses}` : ''}
                </td>
                <td>{format.date(e.expiresAt)}</td>
                <td>
                  {e.revokedAt
                    ? t('enrollments.revokedAt', { date: format.date(e.revokedAt) })
                    : t('enrollments.active')}
                </td>
                {can.write ? (
                  <td>
                    {!e.revokedAt ? (
                      <Button
                        size="small"
                        priority="tertiary"
                        onClick={() =>
                          confirmed(t('confirm.revokeEnrollment', { group: e.group })) && void revoke(e.id)
                        }
                      >
                        {t('enrollments.revoke')}
                      </Button>
                    ) : null}
                  </td>
                ) : null}
              </>
            )}
          />
        )}
      </AsyncSection>
    </Page>
  );
}

function EnrollmentForm({ onCreated }: { onCreated: (enrollment: Enrollment) => void }) {
  const t = useT();
  const groups = useApi<Group[]>('/v1/groups');
  const [group, setGroup] = useState('');
  const [platform, setPlatform] = useState<'ios' | 'android'>('ios');
  const [maxUses, setMaxUses] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const enrollment = await api.post<Enrollment>('/v1/enrollments', {
        group: group || groups.data?.[0]?.slug,
        platform,
        ...(maxUses ? { maxUses: Number(maxUses) } : {}),
      });
      setError(undefined);
      onCreated(enrollment);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      <GroupCreator
        onCreated={(created) => {
          groups.reload();
          setGroup(created.slug);
        }}
      />
      <form onSubmit={(e) => void submit(e)} aria-label={t('enrollments.create')} className="fr-mb-4w">
        <h2>{t('enrollments.create')}</h2>
        <Select
          label={t('common.group')}
          nativeSelectProps={{
            value: group,
            onChange: (e) => setGroup(e.target.value),
            name: 'group',
            required: true,
          }}
        >
          {(groups.data ?? []).map((g) => (
            <option key={g.slug} value={g.slug}>
              {g.name} ({g.slug})
            </option>
          ))}
        </Select>
        <RadioButtons
          legend={t('common.platform')}
          orientation="horizontal"
          options={(['ios', 'android'] as const).map((p) => ({
            label: t(p === 'ios' ? 'platform.ios' : 'platform.android'),
            nativeInputProps: { checked: platform === p, onChange: () => setPlatform(p), name: 'platform' },
          }))}
        />
        <Input
          label={t('enrollments.maxUses')}
          hintText={t('enrollments.maxUsesHint')}
          nativeInputProps={{
            type: 'number',
            min: 1,
            value: maxUses,
            onChange: (e) => setMaxUses(e.target.value),
          }}
        />
        <ErrorAlert error={error} />
        <Button type="submit">{t('enrollments.createButton')}</Button>
      </form>
    </>
  );
}

function CreatedEnrollment({ enrollment }: { enrollment: Enrollment }) {
  const t = useT();
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    // Drawn here from the provisioning JSON (the API's qrCode): Helmet's CSP lets images come
    // only from this origin or data: URLs.
    if (typeof enrollment.qrCode === 'string')
      void QRCode.toDataURL(enrollment.qrCode, { margin: 2, width: 512, errorCorrectionLevel: 'M' }).then(
        setQr,
      );
  }, [enrollment.qrCode]);
  return (
    <section
      aria-labelledby="created-enrollment"
      className="fr-mb-4w fr-p-3w"
      style={{ border: '1px solid var(--border-default-grey)' }}
    >
      <h2 id="created-enrollment">{t('enrollments.created')}</h2>
      {enrollment.platform === 'ios' && typeof enrollment.enrollUrl === 'string' ? (
        <>
          <p>{t('enrollments.iosExplain')}</p>
          <p>
            <a className="fr-link" href={enrollment.enrollUrl}>
              {enrollment.enrollUrl}
            </a>
          </p>
        </>
      ) : null}
      {enrollment.platform === 'android' ? (
        <>
          <p>{t('enrollments.androidExplain')}</p>
          {qr ? (
            <img className="console-qr" src={qr} alt={t('enrollments.qrAlt', { group: enrollment.group })} />
          ) : (
            <Loading />
          )}
        </>
      ) : null}
    </section>
  );
}
