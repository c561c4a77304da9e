import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The api process serves dist/console at `/` (apps/api/src/console); `npm run build` writes it.
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  // DSFR's icon sheets keep an old Internet Explorer `@media (min-width: 0\0)` hack that
  // lightningcss rejects; dropping those rules changes nothing for current browsers.
  css: { lightningcss: { errorRecovery: true } },
  // `npm run dev:console`: the page on Vite's port, the API behind it (cookies are per host, not
  // per port, so a sign-in through the api's /auth works here too).
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/auth'].map((path) => [path, process.env.REMPART_API_URL ?? 'http://127.0.0.1:3000']),
    ),
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Helmet's CSP allows `img-src 'self' data:` and `font-src 'self'`; small icons may be inlined.
    assetsInlineLimit: 4096,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      checks: { pluginTimings: false },
      // react-dsfr marks its components "use client" for Next.js; meaningless in this bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
