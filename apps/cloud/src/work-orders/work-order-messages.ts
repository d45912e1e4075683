// A stored work order as the protocol's WorkOrderMessage (pss.work-order/v1), and the protocol's progress states
// as the cloud's (persistence/work-order-states.ts: the cloud's `dispatched` is the wire's `assigned`).
import { ProgressFromState, SCHEMAS, WorkOrderMessage } from '@pss/protocol';
import { WorkOrder, WorkOrderState, toProtocolState } from '../persistence';

/** The message for an order; null for a planned order (not sent yet) or one without resources (nobody to send to). */
export function toWorkOrderMessage(order: WorkOrder): WorkOrderMessage | null {
  const state = toProtocolState(order.state);
  if (state === undefined || order.resources.length === 0) return null;
  return {
    schema: SCHEMAS.workOrder,
    tenant: order.tenant,
    id: order.id,
    version: order.version,
    state,
    asset: order.asset,
    trigger: order.trigger,
    event: order.eventId,
    activity: order.activity,
    interval: { start: order.startAt, end: order.endAt },
    resources: order.resources,
    ...(order.note === null ? {} : { note: order.note.slice(0, 2000) }),
  };
}

/** A progress report's `from` as the cloud's state. */
export function fromProtocolState(state: ProgressFromState | 'dispatched'): WorkOrderState {
  return state === 'assigned' ? 'dispatched' : state;
}
