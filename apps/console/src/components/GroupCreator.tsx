import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useT } from '../i18n/i18n';
import type { Group } from '../types';
import { ErrorAlert } from './common';

/** A device group made on the spot, where a page needs one (policy form, enrollments). */
export function GroupCreator({ onCreated }: { onCreated: (group: Group) => void }) {
  const t = useT();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const group = await api.post<Group>('/v1/groups', { slug, name: name || slug });
      setSlug('');
      setName('');
      setError(undefined);
      onCreated(group);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <details className="fr-mb-3w">
      <summary>{t('groups.create')}</summary>
      <form onSubmit={(e) => void submit(e)} aria-label={t('groups.create')} className="fr-mt-2w">
        <div className="console-filters">
          <Input
            label={t('groups.slug')}
            hintText={t('common.slugHint')}
            nativeInputProps={{ value: slug, onChange: (e) => setSlug(e.target.value), required: true }}
          />
          <Input
            label={t('groups.name')}
            nativeInputProps={{ value: name, onChange: (e) => setName(e.target.value) }}
          />
          <Button type="submit" priority="secondary">
            {t('groups.createButton')}
          </Button>
        </div>
        <ErrorAlert error={error} />
      </form>
    </details>
  );
}
