// GET /health: the state of every dependency (database, MQTT broker and publisher, and whatever modules register:
// the telemetry store, ...), the instance id and the version. 200 when every critical check is up (or degraded),
// 503 when one is down: load balancers take the instance out, orchestrators restart it.
import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpResponse } from './http-types';
import { CloudConfig } from './config';
import { CLOCK, CLOUD_CONFIG, Clock, HEALTH, Public } from './tokens';
import { SERVICE_VERSION } from './version';

export type HealthState = 'up' | 'degraded' | 'down';

export interface HealthCheckResult {
  state: HealthState;
  /** Details for people (kind, url, clients, last error...). */
  [detail: string]: unknown;
}

export interface HealthCheckOptions {
  /** A critical check that is down makes the instance unhealthy (503). Default true. */
  critical?: boolean;
}

interface RegisteredCheck {
  check: () => HealthCheckResult | Promise<HealthCheckResult>;
  critical: boolean;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  instance: string;
  version: string;
  uptimeSeconds: number;
  checks: Record<string, HealthCheckResult & { critical: boolean }>;
}

/** Checks by name; modules register theirs at construction (inject HEALTH). */
export class HealthRegistry {
  private readonly checks = new Map<string, RegisteredCheck>();

  constructor(private readonly timeoutMs = 2000) {}

  register(name: string, check: () => HealthCheckResult | Promise<HealthCheckResult>, options: HealthCheckOptions = {}): void {
    if (this.checks.has(name)) throw new Error(`health check "${name}" is registered twice`);
    this.checks.set(name, { check, critical: options.critical ?? true });
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check at once, each bounded by the timeout; a check that throws is down with its message. */
  async run(): Promise<{ status: HealthReport['status']; checks: HealthReport['checks'] }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, critical }]) => {
        const result = await this.bounded(check);
        return [name, { ...result, critical }] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    const results = Object.values(checks);
    const status = results.some((r) => r.critical && r.state === 'down') ? 'down' : results.some((r) => r.state !== 'up') ? 'degraded' : 'ok';
    return { status, checks };
  }

  private async bounded(check: () => HealthCheckResult | Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthCheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ state: 'down', error: `no answer within ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch (error) {
      return { state: 'down', error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

@ApiTags('platform')
@Controller('health')
export class HealthController {
  private readonly startedAt: number;

  constructor(
    @Inject(HEALTH) private readonly health: HealthRegistry,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.startedAt = clock();
  }

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Health of this instance and its dependencies' })
  @ApiResponse({ status: 200, description: 'every critical dependency is up (status ok or degraded)' })
  @ApiResponse({ status: 503, description: 'a critical dependency is down' })
  async check(@Res({ passthrough: true }) response: HttpResponse): Promise<HealthReport> {
    const { status, checks } = await this.health.run();
    response.status(status === 'down' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK);
    return {
      status,
      instance: this.config.instanceId,
      version: SERVICE_VERSION,
      uptimeSeconds: Math.max(0, Math.round((this.clock() - this.startedAt) / 1000)),
      checks,
    };
  }
}
