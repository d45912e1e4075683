import { Queryable } from '../database';
import { ApiKeyRepository } from './api-keys';
import { AssetRepository } from './assets';
import { BatchRepository } from './batches';
import { FeedbackRepository } from './feedback';
import { GatewayRepository } from './gateways';
import { ModelRepository } from './models';
import { PendingCloseRepository } from './pending-closes';
import { ConfigurationRunRepository } from './runs';
import { TriggerEventRepository } from './trigger-events';
import { WorkOrderRepository } from './work-orders';

export * from './api-keys';
export * from './assets';
export * from './batches';
export * from './feedback';
export * from './gateways';
export * from './models';
export * from './pending-closes';
export * from './runs';
export * from './trigger-events';
export * from './work-orders';

/** Every repository on one Queryable: the database, or a transaction (`db.transaction((tx) => f(repositories(tx)))`). */
export interface Repositories {
  models: ModelRepository;
  assets: AssetRepository;
  events: TriggerEventRepository;
  batches: BatchRepository;
  runs: ConfigurationRunRepository;
  workOrders: WorkOrderRepository;
  feedback: FeedbackRepository;
  pendingCloses: PendingCloseRepository;
  gateways: GatewayRepository;
  apiKeys: ApiKeyRepository;
}

export function repositories(db: Queryable): Repositories {
  return {
    models: new ModelRepository(db),
    assets: new AssetRepository(db),
    events: new TriggerEventRepository(db),
    batches: new BatchRepository(db),
    runs: new ConfigurationRunRepository(db),
    workOrders: new WorkOrderRepository(db),
    feedback: new FeedbackRepository(db),
    pendingCloses: new PendingCloseRepository(db),
    gateways: new GatewayRepository(db),
    apiKeys: new ApiKeyRepository(db),
  };
}
