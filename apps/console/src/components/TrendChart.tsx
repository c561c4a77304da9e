import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import { useFormat, useT, type MessageKey } from '../i18n/i18n';
import type { TrendDay } from '../types';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  Filler,
);

const SERIES: Array<{ status: string; color: string }> = [
  { status: 'compliant', color: '#18753c' },
  { status: 'non_compliant', color: '#ce0500' },
  { status: 'unenforceable', color: '#b34000' },
  { status: 'stale', color: '#695240' },
  { status: 'pending', color: '#0063cb' },
];

/**
 * The 30-day trend as a line chart (canvas, hidden from assistive technology) with the same figures
 * in a table below it for screen readers and keyboard users.
 */
export default function TrendChart({ days }: { days: TrendDay[] }) {
  const t = useT();
  const format = useFormat();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: days.map((d) => format.day(d.day)),
        datasets: SERIES.map(({ status, color }) => ({
          label: t(`status.${status}` as MessageKey),
          data: days.map((d) => (d.counts ? (d.counts[status] ?? 0) : null)),
          borderColor: color,
          backgroundColor: color,
          spanGaps: false,
          tension: 0.2,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
      },
    });
    return () => chart.destroy();
  }, [days, t, format]);
  return (
    <>
      <div className="console-chart">
        <canvas ref={canvas} aria-hidden="true" />
      </div>
      <details>
        <summary>{t('dashboard.trendTable')}</summary>
        <div className="fr-table fr-table--no-caption">
          <table>
            <caption>{t('dashboard.trend')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dashboard.day')}</th>
                {SERIES.map(({ status }) => (
                  <th scope="col" key={status}>
                    {t(`status.${status}` as MessageKey)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <td>{format.day(d.day)}</td>
                  {SERIES.map(({ status }) => (
                    <td key={status}>{d.counts ? format.number(d.counts[status] ?? 0) : '—'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
