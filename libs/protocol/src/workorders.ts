// Optimistic concurrency for work orders, shared by the cloud (authoritative, also enforced in its database by
// `UPDATE ... WHERE id = $1 AND version = $2`) and by resources' apps.
import { Result } from '@pss/model';
import { canTransition } from './messages';
import { ProgressReport, SCHEMAS, WorkOrderMessage } from './types';

/** Whether `incoming` is a newer version of the same work order than `current` (apply it) or stale (ignore it). */
export function supersedes(incoming: WorkOrderMessage, current: WorkOrderMessage | undefined): boolean {
  return current === undefined || (incoming.id === current.id && incoming.version > current.version);
}

/**
 * Applies a progress report to the current work order: the new version (state `to`, version + 1), or why not.
 * A report already applied (same report redelivered) is accepted again with a warning and changes nothing, so
 * redelivery is harmless.
 */
export function applyProgress(order: WorkOrderMessage, report: ProgressReport): Result<WorkOrderMessage> {
  const no = (path: string, message: string): Result<WorkOrderMessage> => ({ ok: false, issues: [{ path, message }] });
  if (report.workOrder !== order.id) return no('workOrder', `${JSON.stringify(report.workOrder)} is not work order ${JSON.stringify(order.id)}`);
  if (report.tenant !== order.tenant) return no('tenant', `${JSON.stringify(report.tenant)} is not the work order's tenant ${JSON.stringify(order.tenant)}`);
  if (!order.resources.includes(report.resource)) return no('resource', `${JSON.stringify(report.resource)} is not on work order ${JSON.stringify(order.id)}`);
  if (order.version === report.version + 1 && order.state === report.to) {
    const message = `already applied (work order ${order.id} is at version ${order.version}, state ${order.state})`;
    return { ok: true, value: order, warnings: [{ path: 'version', message }] };
  }
  if (report.version !== order.version) {
    return no('version', `stale: made against version ${report.version}, work order ${order.id} is at version ${order.version} (state ${order.state})`);
  }
  if (report.from !== order.state) return no('from', `${report.from} is not the work order's state ${order.state}`);
  if (!canTransition(report.from, report.to)) return no('to', `${report.from} → ${report.to} is not a valid transition`);
  return { ok: true, value: { ...order, schema: SCHEMAS.workOrder, state: report.to, version: order.version + 1 } };
}
