import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';

/** A fresh registry per service instance (tests run many in one process; the global one would collide). */
export function createMetricsRegistry(service: string, withDefaults = false): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Serves GET /metrics for one or more registries (merged). Resolves when listening. */
export async function serveMetrics(registries: Registry[], port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/metrics')) {
      res.writeHead(404).end();
      return;
    }
    // merged per request: metrics a service registers after start (lazily) still appear
    const merged = Registry.merge(registries);
    merged.metrics().then(
      (text) => res.writeHead(200, { 'content-type': merged.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
