import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api';
import { confirmed, ErrorAlert, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import { useCan } from '../session';
import { useApi } from '../use-api';

interface Officer {
  id: string;
  email: string;
  role: string;
  disabledAt: string | null;
}
interface Token {
  id: string;
  officerId: string;
  label: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
interface ConsoleSession {
  id: string;
  officer: { id: string; email: string; role: string };
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  expiresAt: string;
  current: boolean;
}
interface Webhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
}

/** Runs `action`, keeps its error for the form, and tells the caller whether it succeeded. */
function useAction() {
  const [error, setError] = useState<unknown>();
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      setError(undefined);
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    }
  };
  return { error, run };
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="fr-mb-6w">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export default function AdministrationPage() {
  const t = useT();
  const can = useCan();
  if (!can.administer)
    return (
      <Page title={t('admin.title')}>
        <p>{t('common.forbidden')}</p>
      </Page>
    );
  return (
    <Page title={t('admin.title')}>
      <Officers />
      <Sessions />
      <PushCertificate />
      <AndroidBinding />
      <Webhooks />
    </Page>
  );
}

function Officers() {
  const t = useT();
  const format = useFormat();
  const officers = useApi<Officer[]>('/v1/officers');
  const tokens = useApi<Token[]>('/v1/tokens');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('officer');
  const [secret, setSecret] = useState<string>();
  const action = useAction();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(() => api.post('/v1/officers', { email, role }))) {
      setEmail('');
      officers.reload();
    }
  };
  const issue = async (officerId: string) => {
    await action.run(async () => {
      const issued = await api.post<{ token: string }>(`/v1/officers/${officerId}/tokens`, {
        label: 'console',
      });
      setSecret(issued.token);
      tokens.reload();
    });
  };
  return (
    <Section id="officers-title" title={t('admin.officers')}>
      <ErrorAlert error={officers.error ?? action.error} />
      {secret ? (
        <Alert
          className="fr-mb-2w"
          severity="info"
          small
          description={t('admin.tokenOnce', { token: secret })}
        />
      ) : null}
      <DataTable
        caption={t('admin.officers')}
        columns={[t('admin.email'), t('admin.role'), t('admin.tokens'), t('common.actions')]}
        rows={officers.data ?? []}
        rowKey={(o) => o.id}
        renderCells={(o) => (
          <>
            <td>{o.email}</td>
            <td>
              {t(`role.${o.role}` as MessageKey)}
              {o.disabledAt ? ` — ${t('admin.disabled')}` : ''}
            </td>
            <td>
              <ul className="fr-raw-list">
                {(tokens.data ?? [])
                  .filter((tk) => tk.officerId === o.id && !tk.revokedAt)
                  .map((tk) => (
                    <li key={tk.id}>
                      {tk.label ?? tk.id.slice(0, 8)} (
                      {t('admin.expires', { date: format.date(tk.expiresAt) })}){' '}
                      <Button
                        size="small"
                        priority="tertiary no outline"
                        onClick={() =>
                          confirmed(t('confirm.revokeToken', { label: tk.label ?? tk.id.slice(0, 8) })) &&
                          void action.run(() => api.delete(`/v1/tokens/${tk.id}`)).then(tokens.reload)
                        }
                      >
                        {t('admin.revokeToken')}
                      </Button>
                    </li>
                  ))}
              </ul>
            </td>
            <td>
              {!o.disabledAt ? (
                <div className="console-actions">
                  <Button size="small" priority="secondary" onClick={() => void issue(o.id)}>
                    {t('admin.issueToken')}
                  </Button>
                  <Button
                    size="small"
                    priority="tertiary"
                    onClick={() =>
                      confirmed(t('confirm.disableOfficer', { email: o.email })) &&
                      void action.run(() => api.delete(`/v1/officers/${o.id}`)).then(officers.reload)
                    }
                  >
                    {t('admin.disable')}
                  </Button>
                </div>
              ) : null}
            </td>
          </>
        )}
      />
      <form onSubmit={(e) => void create(e)} className="console-filters" aria-label={t('admin.addOfficer')}>
        <Input
          label={t('admin.email')}
          nativeInputProps={{
            type: 'email',
            value: email,
            onChange: (e) => setEmail(e.target.value),
            required: true,
          }}
        />
        <Select
          label={t('admin.role')}
          nativeSelectProps={{ value: role, onChange: (e) => setRole(e.target.value) }}
        >
          {(['auditor', 'officer', 'admin'] as const).map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </Select>
        <Button type="submit">{t('admin.addOfficer')}</Button>
      </form>
    </Section>
  );
}

/** Who is signed in to the console; ending a session signs that browser out at its next request. */
function Sessions() {
  const t = useT();
  const format = useFormat();
  const sessions = useApi<ConsoleSession[]>('/v1/console-sessions');
  const action = useAction();
  const revoke = (session: ConsoleSession) =>
    confirmed(t('confirm.revokeSession', { email: session.officer.email })) &&
    void action.run(() => api.delete(`/v1/console-sessions/${session.id}`)).then(sessions.reload);
  return (
    <Section id="sessions-title" title={t('admin.sessions')}>
      <p>{t('admin.sessionsExplain')}</p>
      <ErrorAlert error={sessions.error ?? action.error} />
      <DataTable
        caption={t('admin.sessions')}
        columns={[
          t('admin.sessionOfficer'),
          t('admin.role'),
          t('admin.sessionStarted'),
          t('admin.sessionLastSeen'),
          t('admin.sessionExpires'),
          t('common.actions'),
        ]}
        rows={sessions.data ?? []}
        rowKey={(s) => s.id}
        renderCells={(s) => (
          <>
            <td>
              {s.officer.email}{' '}
              {s.current ? (
                <Badge small severity="info">
                  {t('admin.sessionCurrent')}
                </Badge>
              ) : null}
            </td>
            <td>{t(`role.${s.officer.role}` as MessageKey)}</td>
            <td>{format.date(s.createdAt)}</td>
            <td>{format.date(s.lastSeenAt)}</td>
            <td>
              {format.date(s.expiresAt)}
              <br />
              <span className="fr-hint-text">
                {t('admin.sessionIdle', { date: format.date(s.idleExpiresAt) })}
              </span>
            </td>
            <td>
              {s.current ? null : (
                <Button
                  size="small"
                  priority="tertiary"
                  title={t('admin.revokeSessionOf', { email: s.officer.email })}
                  onClick={() => revoke(s)}
                >
                  {t('admin.revokeSession')}
                </Button>
              )}
            </td>
          </>
        )}
      />
    </Section>
  );
}

function PushCertificate() {
  const t = useT();
  const format = useFormat();
  const current = useApi<{ topic: string; notAfter: string; warning: string | null }>(
    '/v1/apple/push-certificate',
  );
  const [pkcs12, setPkcs12] = useState<string>();
  const [password, setPassword] = useState('');
  const action = useAction();
  const readP12 = async (file: File | undefined) => {
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    setPkcs12(btoa(binary));
  };
  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(() => api.put('/v1/apple/push-certificate', { pkcs12, password }))) {
      // The file's password is a secret: not left on screen once it has served.
      setPassword('');
      current.reload();
    }
  };
  return (
    <Section id="push-title" title={t('admin.push')}>
      {current.data ? (
        <p>
          {t('admin.pushCurrent', { topic: current.data.topic, date: format.day(current.data.notAfter) })}
        </p>
      ) : (
        <p>{t('dashboard.pushMissing')}</p>
      )}
      <form onSubmit={(e) => void upload(e)} className="console-filters" aria-label={t('admin.pushUpload')}>
        <Input
          label={t('admin.pushFile')}
          nativeInputProps={{
            type: 'file',
            accept: '.p12,.pfx,application/x-pkcs12',
            onChange: (e) => void readP12(e.target.files?.[0]),
          }}
        />
        <Input
          label={t('admin.password')}
          nativeInputProps={{
            type: 'password',
            value: password,
            onChange: (e) => setPassword(e.target.value),
          }}
        />
        <Button type="submit" disabled={!pkcs12}>
          {t('admin.pushUpload')}
        </Button>
      </form>
      <ErrorAlert error={action.error} />
    </Section>
  );
}

function AndroidBinding() {
  const t = useT();
  const current = useApi<{ enterpriseName: string; working: boolean; error: string | null }>(
    '/v1/android/enterprise',
  );
  const [enterpriseName, setEnterpriseName] = useState('');
  const [key, setKey] = useState('');
  const action = useAction();
  const bind = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await action.run(() => {
      const serviceAccountKey: unknown = JSON.parse(key);
      return api.put('/v1/android/enterprise', { enterpriseName, serviceAccountKey });
    });
    if (ok) {
      // The service account's private key is a secret: not left on screen once bound.
      setKey('');
      current.reload();
    }
  };
  return (
    <Section id="android-title" title={t('admin.android')}>
      {current.data ? (
        <p>
          {t('admin.androidCurrent', { name: current.data.enterpriseName })}{' '}
          {current.data.working ? t('admin.androidWorking') : current.data.error}
        </p>
      ) : (
        <p>{t('dashboard.androidMissing')}</p>
      )}
      <form onSubmit={(e) => void bind(e)} aria-label={t('admin.androidBind')}>
        <Input
          label={t('admin.enterpriseName')}
          hintText="enterprises/LC0…"
          nativeInputProps={{
            value: enterpriseName,
            onChange: (e) => setEnterpriseName(e.target.value),
            required: true,
          }}
        />
        <Input
          label={t('admin.serviceAccountKey')}
          textArea
          nativeTextAreaProps={{
            value: key,
            onChange: (e) => setKey(e.target.value),
            rows: 5,
            required: true,
          }}
        />
        <ErrorAlert
          error={action.error instanceof SyntaxError ? new Error(t('admin.keyNotJson')) : action.error}
        />
        <Button type="submit">{t('admin.androidBind')}</Button>
      </form>
    </Section>
  );
}

function Webhooks() {
  const t = useT();
  const hooks = useApi<Webhook[]>('/v1/webhooks');
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState<string>();
  const action = useAction();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      const created = await api.post<{ secret?: string }>('/v1/webhooks', {
        url,
        ...(description ? { description } : {}),
      });
      setSecret(created.secret);
      setUrl('');
      setDescription('');
      hooks.reload();
    });
  };
  return (
    <Section id="webhooks-title" title={t('admin.webhooks')}>
      <ErrorAlert error={hooks.error ?? action.error} />
      {secret ? (
        <Alert className="fr-mb-2w" severity="info" small description={t('admin.secretOnce', { secret })} />
      ) : null}
      <ul>
        {(hooks.data ?? []).map((h) => (
          <li key={h.id}>
            <code>{h.url}</code> — {h.events.join(', ')} {h.description ?? ''}{' '}
            <Button
              size="small"
              priority="tertiary"
              onClick={() =>
                confirmed(t('confirm.deleteWebhook', { url: h.url })) &&
                void action.run(() => api.delete(`/v1/webhooks/${h.id}`)).then(hooks.reload)
              }
            >
              {t('common.delete')}
            </Button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void create(e)} className="console-filters" aria-label={t('admin.addWebhook')}>
        <Input
          label="URL"
          nativeInputProps={{
            type: 'url',
            value: url,
            onChange: (e) => setUrl(e.target.value),
            required: true,
          }}
        />
        <Input
          label={t('lists.description')}
          nativeInputProps={{ value: description, onChange: (e) => setDescription(e.target.value) }}
        />
        <Button type="submit">{t('admin.addWebhook')}</Button>
      </form>
    </Section>
  );
}
