// Contract-time configuration (seed 003). Owns an optimizer worker pool, stopped when the app closes.
import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { Database } from '../persistence';
import { CloudConfig } from '../platform/config';
import { CLOCK, CLOUD_CONFIG, Clock, DATABASE } from '../platform/tokens';
import { ModelsModule } from '../models/models.module';
import { ModelsService } from '../models/models.service';
import { ContractsController } from './contracts.controller';
import { ContractsService } from './contracts.service';

@Module({
  imports: [ModelsModule],
  controllers: [ContractsController],
  providers: [
    {
      provide: ContractsService,
      inject: [DATABASE, ModelsService, CLOCK, CLOUD_CONFIG],
      useFactory: (db: Database, models: ModelsService, clock: Clock, config: CloudConfig) => new ContractsService(db, models, clock, { workers: config.optimizerWorkers }),
    },
  ],
  exports: [ContractsService],
})
export class ContractsModule implements OnModuleDestroy {
  constructor(@Inject(ContractsService) private readonly contracts: ContractsService) {}

  async onModuleDestroy(): Promise<void> {
    await this.contracts.close();
  }
}
