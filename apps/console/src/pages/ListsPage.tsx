import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { request } from '../api';
import { AsyncSection } from '../components/AsyncSection';
import { ErrorAlert, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useT } from '../i18n/i18n';
import { useCan } from '../session';
import type { AppList, CatalogApp, CatalogIdentifier, Policy } from '../types';
import { useApi } from '../use-api';

export default function ListsPage() {
  const t = useT();
  const can = useCan();
  const lists = useApi<AppList[]>('/v1/app-lists');
  const policies = useApi<Policy[]>('/v1/policies');
  const usedBy = (slug: string) =>
    (policies.data ?? []).filter((p) => p.blockLists.includes(slug) || p.allowLists.includes(slug));
  return (
    <Page
      title={t('lists.title')}
      actions={
        can.write ? (
          <Link className="fr-btn fr-btn--icon-left fr-icon-add-line" href="/lists/new">
            {t('lists.new')}
          </Link>
        ) : null
      }
    >
      <AsyncSection resource={lists}>
        {(rows) => (
          <DataTable
            caption={t('lists.title')}
            columns={[
              t('lists.name'),
              t('lists.kind'),
              t('lists.apps'),
              t('lists.usedBy'),
              t('lists.export'),
            ]}
            rows={rows}
            rowKey={(list) => list.slug}
            renderCells={(list) => (
              <>
                <td>
                  <Link href={`/lists/${list.slug}`}>{list.name}</Link>
                  <br />
                  <code>{list.slug}</code>{' '}
                  {list.origin === 'shipped' ? <Badge small>{t('lists.shipped')}</Badge> : null}
                </td>
                <td>{t(list.kind === 'block' ? 'lists.kindBlock' : 'lists.kindAllow')}</td>
                <td>{list.apps.length + list.bundleIds.length + list.packageNames.length}</td>
                <td>
                  {usedBy(list.slug).map((p) => (
                    <Link key={p.slug} className="fr-mr-1w" href={`/policies/${p.slug}`}>
                      {p.name}
                    </Link>
                  ))}
                </td>
                <td>
                  <a
                    className="fr-link fr-icon-download-line fr-link--icon-left"
                    href={`/v1/app-lists/${list.slug}/export.yaml`}
                    download={`${list.slug}.yaml`}
                  >
                    YAML
                  </a>
                </td>
              </>
            )}
          />
        )}
      </AsyncSection>
      {can.write ? <ImportYaml onImported={lists.reload} /> : null}
      <CatalogSearch />
    </Page>
  );
}

function ImportYaml({ onImported }: { onImported: () => void }) {
  const t = useT();
  const [yaml, setYaml] = useState('');
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const list = await request<AppList>('POST', `/v1/app-lists/import${replace ? '?replace=true' : ''}`, {
        text: { content: yaml, contentType: 'application/yaml' },
      });
      setDone(t('lists.imported', { slug: list.slug }));
      setError(undefined);
      setYaml('');
      onImported();
    } catch (failure) {
      setError(failure);
      setDone(undefined);
    }
  };
  return (
    <section aria-labelledby="import-title" className="fr-my-4w">
      <h2 id="import-title">{t('lists.import')}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <Input
          label={t('lists.importFile')}
          nativeInputProps={{
            type: 'file',
            accept: '.yaml,.yml,application/yaml,text/yaml',
            onChange: (e) => void e.target.files?.[0]?.text().then(setYaml),
          }}
        />
        <Input
          label={t('lists.importText')}
          textArea
          nativeTextAreaProps={{
            value: yaml,
            onChange: (e) => setYaml(e.target.value),
            rows: 6,
            className: 'console-pre',
          }}
        />
        <div className="fr-checkbox-group fr-mb-2w">
          <input
            type="checkbox"
            id="import-replace"
            checked={replace}
            onChange={(e) => setReplace(e.target.checked)}
          />
          <label className="fr-label" htmlFor="import-replace">
            {t('lists.importReplace')}
          </label>
        </div>
        <ErrorAlert error={error} />
        {done ? (
          <p role="status" className="fr-message fr-message--valid">
            {done}
          </p>
        ) : null}
        <Button type="submit" priority="secondary" disabled={!yaml.trim()}>
          {t('lists.importButton')}
        </Button>
      </form>
    </section>
  );
}

function identifierText(id: CatalogIdentifier) {
  return id.bundleId ?? id.packageName ?? '';
}

function CatalogSearch() {
  const t = useT();
  const catalog = useApi<CatalogApp[]>('/v1/catalog/apps');
  const [text, setText] = useState('');
  const needle = text.trim().toLowerCase();
  const matches = (catalog.data ?? []).filter(
    (app) =>
      !needle ||
      app.name.toLowerCase().includes(needle) ||
      app.slug.includes(needle) ||
      [...app.ios, ...app.android].some((id) => identifierText(id).toLowerCase().includes(needle)),
  );
  return (
    <section aria-labelledby="catalog-title" className="fr-my-4w">
      <h2 id="catalog-title">{t('catalog.title')}</h2>
      <Input
        label={t('catalog.search')}
        nativeInputProps={{ type: 'search', value: text, onChange: (e) => setText(e.target.value) }}
      />
      <ErrorAlert error={catalog.error} />
      <p role="status">{t('catalog.count', { count: matches.length })}</p>
      <DataTable
        caption={t('catalog.title')}
        columns={[t('common.app'), t('catalog.category'), t('platform.ios'), t('platform.android')]}
        rows={matches.slice(0, 100)}
        rowKey={(app) => app.slug}
        renderCells={(app) => (
          <>
            <td>
              {app.name}
              <br />
              <code>{app.slug}</code>
            </td>
            <td>{app.category}</td>
            {[app.ios, app.android].map((ids, column) => (
              <td key={column}>
                {ids.map((id) => (
                  <div key={identifierText(id)}>
                    <code>{identifierText(id)}</code>{' '}
                    {id.verified ? (
                      <Badge small severity="success">
                        {t('catalog.verified')}
                      </Badge>
                    ) : (
                      <Badge small severity="warning">
                        {t('catalog.unverified')}
                      </Badge>
                    )}
                    {id.sources.length ? (
                      <ul className="fr-text--xs">
                        {id.sources.map((source) => (
                          <li key={source}>
                            {/^https?:/.test(source) ? (
                              <a href={source} target="_blank" rel="noopener noreferrer">
                                {source}
                              </a>
                            ) : (
                              source
                            )}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </div>
                ))}
              </td>
            ))}
          </>
        )}
      />
    </section>
  );
}
