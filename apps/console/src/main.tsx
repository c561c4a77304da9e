import '@codegouvfr/react-dsfr/dsfr/dsfr.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-system/icons-system.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-editor/icons-editor.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-document/icons-document.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-device/icons-device.min.css';
import './console.css';
import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Link } from 'wouter';
import { App } from './App';
import { LangProvider, useLang } from './i18n/i18n';

declare module '@codegouvfr/react-dsfr/spa' {
  interface RegisterLink {
    Link: typeof Link;
  }
}

startReactDsfr({ defaultColorScheme: 'system', Link, useLang: () => useLang().lang });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LangProvider>
      <App />
    </LangProvider>
  </StrictMode>,
);
