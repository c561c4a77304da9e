import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useParams } from 'wouter';
import { api } from '../api';
import { ErrorAlert, Loading, Page } from '../components/common';
import { useT } from '../i18n/i18n';
import { useCan } from '../session';
import type { AppList, CatalogApp } from '../types';
import { useApi } from '../use-api';

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

/** Create a list, or view and edit one (shipped lists are read-only). */
export default function ListFormPage() {
  const t = useT();
  const can = useCan();
  const { slug: editing } = useParams<{ slug?: string }>();
  const [, navigate] = useLocation();
  const existing = useApi<AppList>(editing ? `/v1/app-lists/${encodeURIComponent(editing)}` : null);
  const catalog = useApi<CatalogApp[]>('/v1/catalog/apps');
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'block' | 'allow'>('block');
  const [description, setDescription] = useState('');
  const [apps, setApps] = useState<string[]>([]);
  const [bundleIds, setBundleIds] = useState('');
  const [packageNames, setPackageNames] = useState('');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const l = existing.data;
    if (!l) return;
    setSlug(l.slug);
    setName(l.name);
    setKind(l.kind);
    setDescription(l.description ?? '');
    setApps(l.apps);
    setBundleIds(l.bundleIds.join('\n'));
    setPackageNames(l.packageNames.join('\n'));
  }, [existing.data]);

  const readOnly = !can.write || existing.data?.origin === 'shipped';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      slug,
      name,
      kind,
      apps,
      bundleIds: lines(bundleIds),
      packageNames: lines(packageNames),
      ...(description ? { description } : {}),
    };
    try {
      if (editing) await api.put(`/v1/app-lists/${encodeURIComponent(editing)}`, body);
      else await api.post('/v1/app-lists', body);
      navigate('/lists');
    } catch (failure) {
      setError(failure);
    }
  };
  const needle = filter.trim().toLowerCase();
  const choices = (catalog.data ?? []).filter(
    (app) =>
      apps.includes(app.slug) ||
      !needle ||
      app.name.toLowerCase().includes(needle) ||
      app.slug.includes(needle),
  );
  const title = editing ? (existing.data?.name ?? editing) : t('lists.new');
  return (
    <Page title={title}>
      <ErrorAlert error={existing.error ?? catalog.error} />
      {existing.loading ? <Loading /> : null}
      {readOnly && existing.data ? (
        <p>{existing.data.origin === 'shipped' ? t('lists.shippedReadOnly') : t('common.readOnly')}</p>
      ) : null}
      <form onSubmit={(e) => void submit(e)} aria-label={title}>
        <fieldset className="fr-fieldset console-stacked" disabled={readOnly}>
          {!editing ? (
            <Input
              label={t('lists.slug')}
              hintText={t('common.slugHint')}
              nativeInputProps={{
                name: 'slug',
                value: slug,
                onChange: (e) => setSlug(e.target.value),
                required: true,
              }}
            />
          ) : null}
          <Input
            label={t('lists.name')}
            nativeInputProps={{
              name: 'name',
              value: name,
              onChange: (e) => setName(e.target.value),
              required: true,
            }}
          />
          <RadioButtons
            legend={t('lists.kind')}
            orientation="horizontal"
            options={(['block', 'allow'] as const).map((k) => ({
              label: t(k === 'block' ? 'lists.kindBlock' : 'lists.kindAllow'),
              nativeInputProps: { checked: kind === k, onChange: () => setKind(k), name: 'kind' },
            }))}
          />
          <Input
            label={t('lists.description')}
            textArea
            nativeTextAreaProps={{ value: description, onChange: (e) => setDescription(e.target.value) }}
          />
          <fieldset className="fr-fieldset console-stacked" aria-labelledby="catalog-apps-legend">
            <legend id="catalog-apps-legend" className="fr-fieldset__legend">
              {t('lists.catalogApps', { count: apps.length })}
            </legend>
            <Input
              label={t('catalog.search')}
              nativeInputProps={{ type: 'search', value: filter, onChange: (e) => setFilter(e.target.value) }}
            />
            <div style={{ maxHeight: '20rem', overflowY: 'auto' }}>
              {choices.map((app) => (
                <div className="fr-checkbox-group fr-checkbox-group--sm" key={app.slug}>
                  <input
                    type="checkbox"
                    id={`app-${app.slug}`}
                    name="apps"
                    value={app.slug}
                    checked={apps.includes(app.slug)}
                    onChange={(e) =>
                      setApps((current) =>
                        e.target.checked ? [...current, app.slug] : current.filter((s) => s !== app.slug),
                      )
                    }
                  />
                  <label className="fr-label" htmlFor={`app-${app.slug}`}>
                    {app.name} ({app.slug})
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
          <OnePerLineInput
            label={t('lists.bundleIds')}
            name="bundleIds"
            value={bundleIds}
            onChange={setBundleIds}
          />
          <OnePerLineInput
            label={t('lists.packageNames')}
            name="packageNames"
            value={packageNames}
            onChange={setPackageNames}
          />
          <ErrorAlert error={error} />
          {!readOnly ? <Button type="submit">{editing ? t('common.save') : t('lists.create')}</Button> : null}
        </fieldset>
      </form>
    </Page>
  );
}

/** A text area of identifiers, one a line (bundle ids, package names). */
function OnePerLineInput({
  label,
  name,
  value,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const t = useT();
  return (
    <Input
      label={label}
      hintText={t('lists.onePerLine')}
      textArea
      nativeTextAreaProps={{ value, onChange: (e) => onChange(e.target.value), name }}
    />
  );
}
