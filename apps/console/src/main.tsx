import '@codegouvfr/react-dsfr/dsfr/dsfr.main.min.css';
// Only the icon families the console uses (the whole set is several hundred kilobytes of CSS).
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-system/icons-system.main.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-arrows/icons-arrows.main.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-business/icons-business.main.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-design/icons-design.main.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-editor/icons-editor.main.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-media/icons-media.main.min.css';
import '@codegouvfr/react-dsfr/dsfr/utility/icons/icons-user/icons-user.main.min.css';
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
