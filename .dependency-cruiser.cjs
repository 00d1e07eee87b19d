// The allowed arrows between the rooms of src/ (docs/ARCHITECTURE.md).
// `npm test` runs `npm run lint:imports`, which fails on any violation.
// TypeScript 7 has no compiler API yet, so sources are parsed with swc.

/** Rooms a room may import from, besides itself. */
const allowed = {
  // The policy validates mask kinds and compiles custom masks at load, with the two masking files that import nothing of the project (rule masking-leaves).
  policy: ['masking/kinds\\.ts$', 'masking/linear-pattern\\.ts$'],
  media: ['policy'],
  masking: ['policy', 'media'],
  adapters: [],
  auth: ['policy'],
  crypto: ['policy', 'adapters'],
  rights: ['policy', 'adapters', 'crypto', 'masking'],
  service: ['policy', 'media', 'masking', 'crypto', 'adapters', 'auth', 'rights'],
  http: ['policy', 'media', 'masking', 'adapters', 'auth', 'rights', 'service'],
  hosts: ['policy', 'media', 'masking', 'crypto', 'adapters', 'auth', 'rights', 'service', 'http', 'types'],
};

const roomRules = Object.entries(allowed).map(([room, targets]) => ({
  name: `${room}-imports`,
  comment: `src/${room} may import only ${targets.length ? targets.join(', ') : 'its own files'} of the project`,
  severity: 'error',
  from: { path: `^src/${room}/` },
  to: { path: '^src/', pathNot: [`^src/${room}/`, ...targets.map((target) => `^src/${target}`)] },
}));

/** Only these files may use Node's built-in modules; the rest runs on Workers unchanged. */
const nodeOnly = ['^src/hosts/', '^src/cli/', '^src/adapters/fs', '^src/crypto/.*-node\\.ts$'];

module.exports = {
  forbidden: [
    ...roomRules,
    {
      name: 'masking-leaves',
      comment: 'the masking files the policy imports import nothing of the project, so the policy and masking never form a circle',
      severity: 'error',
      from: { path: '^src/masking/(kinds|linear-pattern)\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      comment: 'imports go one way, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'hosts-are-entry-points',
      comment: 'nothing but the CLI imports a host',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/hosts/', '^src/cli/'] },
      to: { path: '^src/hosts/' },
    },
    {
      name: 'node-builtins-only-in-node-files',
      comment: 'code outside the Node-only files uses Web standards so that it runs on Workers',
      severity: 'error',
      from: { path: '^src/', pathNot: nodeOnly },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
