import { Button } from '@codegouvfr/react-dsfr/Button';
import type { FormEvent, ReactNode } from 'react';
import { useT } from '../i18n/i18n';

/** The filters above a list: a search landmark named `label`, its fields, then "Apply". */
export function FilterForm({
  label,
  onApply,
  children,
}: {
  label: string;
  onApply: (event: FormEvent) => void;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <form onSubmit={onApply} role="search" aria-label={label} className="console-filters fr-mb-3w">
      {children}
      <Button type="submit" iconId="fr-icon-filter-line">
        {t('devices.apply')}
      </Button>
    </form>
  );
}
