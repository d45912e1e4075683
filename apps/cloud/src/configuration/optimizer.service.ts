// The optimizer, off the event loop: a pool of worker threads (@pss/optimizer-pool) sized by OPTIMIZER_WORKERS,
// algorithm auto (exact when the problem is small enough to prove its front quickly, else the hybrid), with the
// configured time limit and a fixed seed (the same batch gives the same front).
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigurationFront, ConfigurationProblem } from '@pss/model';
import { OptimizerPool } from '@pss/optimizer-pool';
import { CloudConfig } from '../platform/config';
import { CLOUD_CONFIG } from '../platform/tokens';

export const OPTIMIZER_SEED = 1;

@Injectable()
export class OptimizerService implements OnModuleDestroy {
  private pool: OptimizerPool | undefined;

  constructor(@Inject(CLOUD_CONFIG) private readonly config: CloudConfig) {}

  /** The front of a configuration problem; throws when the optimizer cannot run (a SearchLimitError, a dead worker). */
  async solve(problem: ConfigurationProblem): Promise<ConfigurationFront> {
    // Started on first use: an instance that never solves starts no threads.
    this.pool ??= new OptimizerPool({ size: this.config.optimizerWorkers });
    const front = await this.pool.solve(problem, { algorithm: 'auto', timeLimitMs: this.config.optimizerTimeLimitMs, seed: OPTIMIZER_SEED });
    if (front.problem !== 'ConfigurationProblem') throw new Error(`the optimizer answered a ${front.problem} front for a configuration problem`);
    return front;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}
