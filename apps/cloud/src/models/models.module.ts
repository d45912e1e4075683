// Models, problems and assets. ModelsService is exported: other modules load stored models through it.
import { Module } from '@nestjs/common';
import { Database } from '../persistence';
import { CLOCK, Clock, DATABASE } from '../platform/tokens';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';
import { ProblemsController } from './problems.controller';

@Module({
  controllers: [ModelsController, ProblemsController, AssetsController],
  providers: [
    { provide: ModelsService, inject: [DATABASE, CLOCK], useFactory: (db: Database, clock: Clock) => new ModelsService(db, clock) },
    { provide: AssetsService, inject: [DATABASE, ModelsService, CLOCK], useFactory: (db: Database, models: ModelsService, clock: Clock) => new AssetsService(db, models, clock) },
  ],
  exports: [ModelsService, AssetsService],
})
export class ModelsModule {}
