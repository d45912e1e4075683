// The gateway's HTTP endpoint for operators and orchestrators:
//   GET /metrics          Prometheus text format
//   GET /health           liveness: 200 while the process serves, with a JSON summary
//   GET /ready            readiness: 200 when the uplink and every source are connected, else 503 (same JSON)
//   GET /api/matrix       the trigger matrix: {triggers: [...], assets: {asset: [0|1, ...]}}
//   GET /api/assets/{id}  one asset's trigger state and latest values
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';
import { PROMETHEUS_CONTENT_TYPE } from './metrics';

export class GatewayHttpServer {
  private server: Server | null = null;

  constructor(private readonly gateway: Gateway) {}

  /** Listens; resolves with the bound port (the configured one, or a free one for port 0). */
  listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(e.code === 'EADDRINUSE' ? `http: port ${port} on ${host} is already in use (set http.port, or 0 for any free port)` : `http: ${e.message}`)),
      );
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: `method ${req.method} not allowed; this endpoint is read-only` });
    const path = url.pathname;
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
      res.end(this.gateway.metrics.render());
      return;
    }
    if (path === '/health' || path === '/ready') {
      const health = this.gateway.health();
      return send(res, path === '/ready' && health.status !== 'ok' ? 503 : 200, health);
    }
    if (path === '/api/matrix') {
      const engine = this.gateway.engine;
      const assets: Record<string, number[]> = {};
      for (const a of engine.assetIds()) assets[a] = engine.matrix(a);
      return send(res, 200, { triggers: engine.triggerIds, assets });
    }
    const asset = /^\/api\/assets\/([^/]+)$/.exec(path);
    if (asset) {
      const id = decodeURIComponent(asset[1]);
      if (!this.gateway.engine.assetIds().includes(id)) return send(res, 404, { error: `no state for asset "${id}" (no valid sample yet, or not configured here)` });
      return send(res, 200, this.gateway.engine.inspect(id));
    }
    send(res, 404, { error: `no route ${path}; try /metrics, /health, /ready, /api/matrix, /api/assets/{id}` });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
