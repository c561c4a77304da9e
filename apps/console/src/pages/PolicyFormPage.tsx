import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useParams } from 'wouter';
import { api } from '../api';
import { ErrorAlert, Loading, Page } from '../components/common';
import { GroupCreator } from '../components/GroupCreator';
import { useT } from '../i18n/i18n';
import { useCan } from '../session';
import type { AppList, Group, Policy } from '../types';
import { useApi } from '../use-api';

interface Draft {
  slug: string;
  name: string;
  description: string;
  mode: 'blocklist' | 'allowlist';
  groups: string[];
  blockLists: string[];
  allowLists: string[];
  /** `datetime-local` value, in the officer's time zone; empty: as soon as published. */
  effectiveAt: string;
}

const EMPTY: Draft = {
  slug: '',
  name: '',
  description: '',
  mode: 'blocklist',
  groups: [],
  blockLists: [],
  allowLists: [],
  effectiveAt: '',
};

/** A date as `datetime-local` shows it, in the browser's time zone. */
export function toLocalInput(value: string | null): string {
  if (!value) return '';
  const date = new Date(value);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

const toggle = (values: string[], value: string, on: boolean) =>
  on ? [...new Set([...values, value])] : values.filter((v) => v !== value);

export default function PolicyFormPage() {
  const t = useT();
  const can = useCan();
  const params = useParams<{ slug?: string }>();
  const editing = params.slug;
  const [, navigate] = useLocation();
  const groups = useApi<Group[]>('/v1/groups');
  const lists = useApi<AppList[]>('/v1/app-lists');
  const existing = useApi<Policy>(editing ? `/v1/policies/${encodeURIComponent(editing)}` : null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const p = existing.data;
    if (!p) return;
    setDraft({
      slug: p.slug,
      name: p.name,
      description: p.description ?? '',
      mode: p.mode,
      groups: p.groups,
      blockLists: p.blockLists,
      allowLists: p.allowLists,
      effectiveAt: toLocalInput(p.effectiveAt),
    });
  }, [existing.data]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const body = {
      name: draft.name,
      description: draft.description || undefined,
      mode: draft.mode,
      groups: draft.groups,
      blockLists: draft.blockLists,
      allowLists: draft.allowLists,
      effectiveAt: draft.effectiveAt ? new Date(draft.effectiveAt).toISOString() : undefined,
    };
    try {
      const saved = editing
        ? await api.patch<Policy>(`/v1/policies/${encodeURIComponent(editing)}`, body)
        : await api.post<Policy>('/v1/policies', { slug: draft.slug, ...body });
      navigate(`/policies/${saved.slug}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  const title = editing
    ? t('policyForm.editTitle', { name: existing.data?.name ?? editing })
    : t('policyForm.newTitle');
  if (!can.write)
    return (
      <Page title={title}>
        <p>{t('common.readOnly')}</p>
      </Page>
    );
  const blockLists = (lists.data ?? []).filter((l) => l.kind === 'block');
  const allowLists = (lists.data ?? []).filter((l) => l.kind === 'allow');

  return (
    <Page title={title}>
      {groups.loading || lists.loading || existing.loading ? <Loading /> : null}
      <ErrorAlert error={groups.error ?? lists.error ?? existing.error} />
      <GroupCreator
        onCreated={(group) => {
          groups.reload();
          set('groups', toggle(draft.groups, group.slug, true));
        }}
      />
      <form onSubmit={(e) => void submit(e)} aria-label={title}>
        {!editing ? (
          <Input
            label={t('policyForm.slug')}
            hintText={t('common.slugHint')}
            nativeInputProps={{
              name: 'slug',
              value: draft.slug,
              onChange: (e) => set('slug', e.target.value),
              required: true,
            }}
          />
        ) : null}
        <Input
          label={t('policyForm.name')}
          nativeInputProps={{
            name: 'name',
            value: draft.name,
            onChange: (e) => set('name', e.target.value),
            required: true,
          }}
        />
        <Input
          label={t('policyForm.description')}
          hintText={t('policyForm.descriptionHint')}
          textArea
          nativeTextAreaProps={{
            value: draft.description,
            onChange: (e) => set('description', e.target.value),
          }}
        />
        <RadioButtons
          legend={t('policyForm.mode')}
          orientation="horizontal"
          options={(['blocklist', 'allowlist'] as const).map((mode) => ({
            label: t(mode === 'blocklist' ? 'policyForm.modeBlocklist' : 'policyForm.modeAllowlist'),
            nativeInputProps: { checked: draft.mode === mode, onChange: () => set('mode', mode) },
          }))}
        />
        <Checkbox
          legend={t('policyForm.groups')}
          hintText={(groups.data ?? []).length === 0 ? t('policyForm.noGroups') : undefined}
          options={(groups.data ?? []).map((group) => ({
            label: `${group.name} (${group.slug})`,
            nativeInputProps: {
              name: 'groups',
              value: group.slug,
              checked: draft.groups.includes(group.slug),
              onChange: (e) => set('groups', toggle(draft.groups, group.slug, e.target.checked)),
            },
          }))}
        />
        <Checkbox
          legend={t('policyForm.blockLists')}
          options={blockLists.map((list) => ({
            label: list.name,
            hintText: `${list.slug}${list.origin === 'shipped' ? ` — ${t('lists.shipped')}` : ''}`,
            nativeInputProps: {
              name: 'blockLists',
              value: list.slug,
              checked: draft.blockLists.includes(list.slug),
              onChange: (e) => set('blockLists', toggle(draft.blockLists, list.slug, e.target.checked)),
            },
          }))}
        />
        <Checkbox
          legend={t('policyForm.allowLists')}
          options={allowLists.map((list) => ({
            label: list.name,
            hintText: `${list.slug}${list.origin === 'shipped' ? ` — ${t('lists.shipped')}` : ''}`,
            nativeInputProps: {
              name: 'allowLists',
              value: list.slug,
              checked: draft.allowLists.includes(list.slug),
              onChange: (e) => set('allowLists', toggle(draft.allowLists, list.slug, e.target.checked)),
            },
          }))}
        />
        <Input
          label={t('policyForm.effectiveAt')}
          hintText={t('policyForm.effectiveAtHint')}
          nativeInputProps={{
            name: 'effectiveAt',
            type: 'datetime-local',
            value: draft.effectiveAt,
            onChange: (e) => set('effectiveAt', e.target.value),
          }}
        />
        <ErrorAlert error={error} />
        <Button type="submit" disabled={saving}>
          {editing ? t('common.save') : t('policyForm.create')}
        </Button>
      </form>
    </Page>
  );
}
