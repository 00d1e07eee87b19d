/**
 * The routes the app registered, as templates operators and the OpenAPI
 * document name them (`/v1/objects/{dataClass}/{key}`): metric labels that
 * tell a list from a read, and the `Allow` header of a 405.
 */
export interface RegisteredRoute {
  method: string;
  /** The hono path: `/v1/subjects/:subject`, `/v1/objects/*`. */
  path: string;
}

export interface RouteTemplate {
  template: string;
  methods: readonly string[];
}

/**
 * Hono wildcards that stand for more than one resource. The objects route
 * takes its `{dataClass}` and `{key}` from the raw path itself; a key holds
 * slashes, so the first slash after the data class tells a list from an object.
 */
const WILDCARD_TEMPLATES: Readonly<Record<string, readonly [string, ...string[]]>> = {
  '/v1/objects/*': ['/v1/objects/{dataClass}', '/v1/objects/{dataClass}/{key}'],
};

interface Entry {
  template: string;
  pattern: RegExp;
  methods: Set<string>;
}

export class RouteTable {
  readonly #entries: Entry[] = [];

  /** Middleware (method `ALL`) is not a route. */
  constructor(routes: readonly RegisteredRoute[]) {
    for (const { method, path } of routes) {
      if (method === 'ALL') continue;
      for (const template of templatesOf(path)) {
        let entry = this.#entries.find((candidate) => candidate.template === template);
        if (!entry) this.#entries.push((entry = { template, pattern: patternOf(template), methods: new Set() }));
        entry.methods.add(method);
        // hono answers HEAD with the GET handler.
        if (method === 'GET') entry.methods.add('HEAD');
      }
    }
  }

  /** The template a path belongs to and the methods it answers, whatever the request's method. */
  match(pathname: string): RouteTemplate | undefined {
    const entry = this.#entries.find((candidate) => candidate.pattern.test(pathname));
    return entry && { template: entry.template, methods: [...entry.methods] };
  }

  templates(): RouteTemplate[] {
    return this.#entries.map(({ template, methods }) => ({ template, methods: [...methods] }));
  }
}

function templatesOf(path: string): readonly string[] {
  return WILDCARD_TEMPLATES[path] ?? [path.replace(/:(\w+)/g, '{$1}')];
}

/** `{name}` is one path segment, except a trailing `{key}` which may hold slashes. */
function patternOf(template: string): RegExp {
  const escaped = template.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{key\}$/, '.+').replace(/\{\w+\}/g, '[^/]+')}$`);
}
