// The life of a work order in the cloud. `planned` orders exist only here (created from an approved run, not yet
// sent); `dispatched` is what the protocol calls `assigned`. done, failed and cancelled are final.
import { WorkOrderState as ProtocolWorkOrderState } from '@pss/protocol';

export const WORK_ORDER_STATES = ['planned', 'dispatched', 'accepted', 'in_progress', 'done', 'failed', 'cancelled'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

export const FINAL_WORK_ORDER_STATES: readonly WorkOrderState[] = ['done', 'failed', 'cancelled'];

export const WORK_ORDER_TRANSITIONS: Readonly<Record<WorkOrderState, readonly WorkOrderState[]>> = {
  planned: ['dispatched', 'cancelled'],
  // A resource reports accepted/in_progress/done/failed (the protocol's progress reports); planners cancel.
  dispatched: ['accepted', 'failed', 'cancelled'],
  accepted: ['in_progress', 'failed', 'cancelled'],
  in_progress: ['done', 'failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

export function canTransitionWorkOrder(from: WorkOrderState, to: WorkOrderState): boolean {
  return WORK_ORDER_TRANSITIONS[from].includes(to);
}

export function isFinalWorkOrderState(state: WorkOrderState): boolean {
  return FINAL_WORK_ORDER_STATES.includes(state);
}

/** The state a work order message carries; planned orders are not sent, so they have none. */
export function toProtocolState(state: WorkOrderState): ProtocolWorkOrderState | undefined {
  if (state === 'planned') return undefined;
  return state === 'dispatched' ? 'assigned' : state;
}
