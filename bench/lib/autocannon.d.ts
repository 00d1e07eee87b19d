/** The part of autocannon's API the load client uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    setupRequest?: (request: Request) => Request;
  }

  interface Client extends EventEmitter {
    setRequests(requests: Request[]): void;
  }

  interface Options {
    url: string;
    connections: number;
    duration: number;
    sampleInt?: number;
    timeout?: number;
    setupClient?: (client: Client) => void;
  }

  interface Instance extends EventEmitter {
    on(event: 'response', listener: (client: Client, statusCode: number, bytes: number, responseTime: number) => void): this;
    on(event: 'reqError', listener: (error: Error) => void): this;
    stop(): void;
  }

  interface Results {
    duration: number;
    errors: number;
    timeouts: number;
  }

  function autocannon(options: Options, done: (error: Error | null, results: Results) => void): Instance;
  export default autocannon;
}
