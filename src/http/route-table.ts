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

interface Entry extends RouteTemplate {
  pattern: RegExp;
  /** Registered by the app, without the HEAD that hono answers wherever GET is. */
  registered: readonly string[];
}

export class RouteTable {
  readonly #entries: readonly Entry[];

  /** Middleware (method `ALL`) is not a route. */
  constructor(routes: readonly RegisteredRoute[]) {
    const registered = new Map<string, Set<string>>();
    for (const { method, path } of routes) {
      if (method === 'ALL') continue;
      for (const { template, only } of templatesOf(path)) {
        if (only && !only.includes(method)) continue;
        registered.set(template, (registered.get(template) ?? new Set()).add(method));
      }
    }
    this.#entries = [...registered].map(([template, methods]) => ({
      template,
      pattern: patternOf(template),
      registered: [...methods],
      methods: methods.has('GET') ? [...new Set([...methods, 'HEAD'])] : [...methods],
    }));
  }

  /** The template a path belongs to and the methods it answers, whatever the request's method. */
  match(pathname: string): RouteTemplate | undefined {
    return this.#entries.find((entry) => entry.pattern.test(pathname));
  }

  /** The methods the app registered for each template. */
  registered(): RouteTemplate[] {
    return this.#entries.map(({ template, registered }) => ({ template, methods: registered }));
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
