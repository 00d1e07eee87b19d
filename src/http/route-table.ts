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

interface TemplateOfRoute {
  template: string;
  /** The methods of the route that reach this resource; all when absent. */
  only?: readonly string[];
}

/**
 * Hono wildcards that stand for more than one resource. The objects route
 * takes its `{dataClass}` and `{key}` from the raw path itself; a key holds
 * slashes, so the first slash after the data class tells a list from an
 * object. A data class alone is only listed.
 */
const WILDCARD_TEMPLATES: Readonly<Record<string, readonly TemplateOfRoute[]>> = {
  '/v1/objects/*': [{ template: '/v1/objects/{dataClass}', only: ['GET', 'HEAD'] }, { template: '/v1/objects/{dataClass}/{key}' }],
};

interface Entry {
  template: string;
  pattern: RegExp;
  /** Registered by the app. */
  registered: Set<string>;
  /** Answered: the registered ones, and HEAD wherever GET is (hono answers HEAD with the GET handler). */
  methods: Set<string>;
}

export class RouteTable {
  readonly #entries: Entry[] = [];

  /** Middleware (method `ALL`) is not a route. */
  constructor(routes: readonly RegisteredRoute[]) {
    for (const { method, path } of routes) {
      if (method === 'ALL') continue;
      for (const { template, only } of templatesOf(path)) {
        if (only && !only.includes(method)) continue;
        let entry = this.#entries.find((candidate) => candidate.template === template);
        if (!entry) this.#entries.push((entry = { template, pattern: patternOf(template), registered: new Set(), methods: new Set() }));
        entry.registered.add(method);
        entry.methods.add(method);
        if (method === 'GET') entry.methods.add('HEAD');
      }
    }
  }

  /** The template a path belongs to and the methods it answers, whatever the request's method. */
  match(pathname: string): RouteTemplate | undefined {
    const entry = this.#entries.find((candidate) => candidate.pattern.test(pathname));
    return entry && { template: entry.template, methods: [...entry.methods] };
  }

  /** The methods the app registered for each template (without the HEAD hono adds to every GET). */
  registered(): RouteTemplate[] {
    return this.#entries.map(({ template, registered }) => ({ template, methods: [...registered] }));
  }
}

function templatesOf(path: string): readonly TemplateOfRoute[] {
  return WILDCARD_TEMPLATES[path] ?? [{ template: path.replace(/:(\w+)/g, '{$1}') }];
}

/** `{name}` is one path segment, except a trailing `{key}` which may hold slashes. */
function patternOf(template: string): RegExp {
  const escaped = template.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{key\}$/, '.+').replace(/\{\w+\}/g, '[^/]+')}$`);
}
