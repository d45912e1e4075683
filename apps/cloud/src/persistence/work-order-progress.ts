// A work order transition together with its feedback, in one transaction: the optimistic transition succeeds
// once per version, so a finished order is counted once however often its report is delivered.
import { Database } from './database';
import { repositories } from './repositories';
import { TransitionRequest, TransitionResult } from './repositories/work-orders';

export async function transitionWorkOrder(db: Database, tenant: string, id: string, request: TransitionRequest): Promise<TransitionResult> {
  return db.transaction(async (tx) => {
    const repos = repositories(tx);
    const result = await repos.workOrders.transition(tenant, id, request);
    if (result.ok && (result.order.state === 'done' || result.order.state === 'failed')) await repos.feedback.recordCompletion(result.order);
    return result;
  });
}
