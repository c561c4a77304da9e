/*
 * Which way dependencies may point (checked by `npm run lint` through tools/check-dependencies.mjs,
 * which also refuses import cycles between libraries and apps).
 * The pure protocol and compiler libraries import no framework and no database, so that the
 * offline CLI, the benchmarks and the fuzzers load them alone.
 */
const PURE = '^libs/(apple|android|ban-spec)/';

module.exports = {
  forbidden: [
    {
      name: 'library-imports-app',
      comment: 'Libraries serve apps; an app is never a dependency.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'pure-imports-database',
      comment: 'libs/apple, libs/android and libs/ban-spec are pure: no database, no queue, no NestJS.',
      severity: 'error',
      from: { path: PURE, pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          '^libs/(persistence|platform|config|audit|auth|fleet|jobs|policy|catalog|apple-server)/',
          'node_modules/(typeorm|pg|@nestjs|bullmq|ioredis)/',
        ],
      },
    },
    {
      name: 'test-code-in-production',
      comment: 'Nothing outside test/ and bench/ imports test helpers.',
      severity: 'error',
      from: { path: '^(libs|apps)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    // `#libs/<name>` resolves through package.json "imports" to libs/<name>/src/index.ts.
    enhancedResolveOptions: { conditionNames: ['types', 'import', 'default'], extensions: ['.ts', '.js'] },
  },
};
