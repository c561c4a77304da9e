import { useParams } from 'wouter';
import { query } from '../api';
import { ComplianceBadge, ErrorAlert, Loading, Page } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat, useT } from '../i18n/i18n';
import type { ComplianceDevice } from '../types';
import { useApi } from '../use-api';
import { useDescribeReasons } from '../components/reasons';

interface Device {
  udid: string;
  platform: 'ios' | 'android';
  status: string;
  serialNumber: string | null;
  modelName: string | null;
  osVersion: string | null;
  deviceName: string | null;
  isSupervised: boolean | null;
  enrolledAt: string | null;
  lastSeenAt: string | null;
}
interface InventoryApp {
  identifier: string;
  name: string | null;
  version: string | null;
  state?: string | null;
}
interface Command {
  commandUuid: string;
  requestType: string;
  status: string;
  queuedAt: string;
  completedAt: string | null;
  queuedBy: string | null;
}
interface HistoryEntry {
  from: string | null;
  to: string;
  at: string;
  reasons: Array<Record<string, unknown>> | null;
}

export default function DevicePage() {
  const t = useT();
  const format = useFormat();
  const describeReasons = useDescribeReasons();
  const { udid } = useParams<{ udid: string }>();
  const base = `/v1/devices/${encodeURIComponent(udid)}`;
  const device = useApi<Device>(base);
  const compliance = useApi<ComplianceDevice[]>(`/v1/compliance/devices${query({ q: udid, limit: 1 })}`);
  const inventory = useApi<{ apps?: InventoryApp[] } | InventoryApp[]>(`${base}/inventory`);
  const commands = useApi<Command[]>(`${base}/commands`);
  const history = useApi<HistoryEntry[]>(`/v1/compliance/devices/${encodeURIComponent(udid)}/history`);
  const d = device.data;
  const c = compliance.data?.find((row) => row.udid === udid);
  const apps = Array.isArray(inventory.data) ? inventory.data : (inventory.data?.apps ?? []);
  return (
    <Page title={d ? (d.deviceName ?? d.serialNumber ?? d.udid) : t('devices.device')}>
      <ErrorAlert error={device.error} />
      {device.loading ? <Loading /> : null}
      {d ? (
        <dl className="fr-mb-4w">
          <dt className="fr-text--bold">{t('devices.status')}</dt>
          <dd>{c ? <ComplianceBadge status={c.status} /> : '—'}</dd>
          <dt className="fr-text--bold">{t('devices.reasons')}</dt>
          <dd>{c ? describeReasons(c.reasons) : '—'}</dd>
          <dt className="fr-text--bold">{t('common.platform')}</dt>
          <dd>
            {t(d.platform === 'ios' ? 'platform.ios' : 'platform.android')} {d.modelName ?? ''}{' '}
            {d.osVersion ?? ''}
          </dd>
          <dt className="fr-text--bold">{t('devices.supervised')}</dt>
          <dd>{d.isSupervised === null ? '—' : t(d.isSupervised ? 'common.yes' : 'common.no')}</dd>
          <dt className="fr-text--bold">{t('devices.serial')}</dt>
          <dd>{d.serialNumber ?? '—'}</dd>
          <dt className="fr-text--bold">UDID</dt>
          <dd>
            <code>{d.udid}</code>
          </dd>
          <dt className="fr-text--bold">{t('devices.enrolledAt')}</dt>
          <dd>{format.date(d.enrolledAt)}</dd>
          <dt className="fr-text--bold">{t('devices.lastSeen')}</dt>
          <dd>{format.date(d.lastSeenAt)}</dd>
        </dl>
      ) : null}

      <h2>{t('device.inventory')}</h2>
      <ErrorAlert error={inventory.error} />
      {apps.length === 0 ? <p>{t('device.noInventory')}</p> : null}
      {apps.length > 0 ? (
        <DataTable
          caption={t('device.inventory')}
          columns={[t('common.app'), t('device.identifier'), t('device.version')]}
          rows={apps}
          rowKey={(a) => a.identifier}
          renderCells={(a) => (
            <>
              <td>{a.name ?? '—'}</td>
              <td>
                <code>{a.identifier}</code>
              </td>
              <td>{a.version ?? '—'}</td>
            </>
          )}
        />
      ) : null}

      <h2>{t('device.history')}</h2>
      {(history.data ?? []).length === 0 ? <p>{t('device.noHistory')}</p> : null}
      <ul>
        {(history.data ?? []).map((h, i) => (
          <li key={i}>
            {format.date(h.at)} — <ComplianceBadge status={h.to} /> {describeReasons(h.reasons)}
          </li>
        ))}
      </ul>

      <h2>{t('device.commands')}</h2>
      <ErrorAlert error={commands.error} />
      {(commands.data ?? []).length === 0 ? <p>{t('device.noCommands')}</p> : null}
      {(commands.data ?? []).length > 0 ? (
        <DataTable
          caption={t('device.commands')}
          columns={[
            t('device.command'),
            t('device.commandStatus'),
            t('device.queuedAt'),
            t('device.completedAt'),
          ]}
          rows={commands.data!}
          rowKey={(cmd) => cmd.commandUuid}
          renderCells={(cmd) => (
            <>
              <td>{cmd.requestType}</td>
              <td>{cmd.status}</td>
              <td>{format.date(cmd.queuedAt)}</td>
              <td>{format.date(cmd.completedAt)}</td>
            </>
          )}
        />
      ) : null}
    </Page>
  );
}
