/**
 * Import directions (DESIGN.md, style.md §7.3), checked by `npm run lint`:
 * - pure rule files and contracts import nothing with I/O;
 * - platform never imports a capability;
 * - a capability uses another only through its service (or its pure rules / routes hooks);
 * - repositories never import services or routes; services never import routes.
 */
const CAPS =
  '(identity|catalog|datasets|sharing|ledger|stats|demo|privacy|open-data|operation|quality|federation)';

module.exports = {
  forbidden: [
    {
      name: 'platform-is-below-capabilities',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: `^src/${CAPS}/` },
    },
    {
      name: 'cross-capability-only-via-service',
      comment:
        'Another capability is reached through its *.service.ts, its pure rules, or its auth hooks, never its repository.',
      severity: 'error',
      from: { path: `^src/${CAPS}/` },
      to: {
        path: `^src/${CAPS}/.+\\.repository\\.ts$`,
        pathNot: '^src/$1/',
      },
    },
    {
      name: 'repositories-are-the-bottom',
      severity: 'error',
      from: { path: '\\.repository\\.ts$' },
      to: { path: '\\.(service|routes|hooks)\\.ts$' },
    },
    {
      name: 'services-do-not-import-routes',
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: '\\.(routes|hooks)\\.ts$' },
    },
    {
      name: 'contracts-are-pure',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { path: '\\.(service|repository|routes|hooks)\\.ts$|^src/platform/db/' },
    },
    {
      name: 'no-cli-from-server',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
