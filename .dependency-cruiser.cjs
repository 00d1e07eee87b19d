// The allowed arrows between the rooms of src/ (docs/ARCHITECTURE.md).
// `npm test` runs `npm run lint:imports`, which fails on any violation.
// TypeScript 7 has no compiler API yet, so sources are parsed with swc.

/** Rooms a room may import from, besides itself. */
const allowed = {
  // The three pure rooms may use each other (the policy compiles custom masks at load; masking reads media types); files never in a circle.
  policy: ['media', 'masking'],
  media: ['policy'],
  masking: ['policy', 'media'],
  adapters: [],
  auth: ['policy'],
  // Destroying a data key is refused while a legal hold stands.
  crypto: ['policy', 'adapters', 'rights/holds\\.ts'],
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
      name: 'no-circular',
      comment: 'imports go one way (a circle of type-only imports is no circle at run time)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
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
