// The closed loop's input to the next problem: the reliabilities observed on finished work orders replace the
// model's where there is data (seed 004, docs/cloud-persistence.md "Closed-loop feedback"):
//
// - activity a: r_a = completed in time / executed (executed = completed + failed), when executed > 0;
// - personnel resource r on activity a: theta_{r,a} = in time / total of r's orders for a, when that total > 0;
// - equipment resource r: theta_r = in time / total over all of r's orders (the same for every activity it
//   serves), when that total > 0; it replaces theta on every assignable edge of r.
//
// Otherwise the model's value stands. The model passed in is not changed.
import { PssModel } from '@pss/model';
import { ObservedReliability } from '../persistence';

export interface ReliabilityOverride {
  kind: 'activity' | 'theta';
  activity: string;
  /** For thetas: the resource of the assignable edge. */
  resource?: string;
  /** The model's value and the observed one that replaces it. */
  model: number;
  observed: number;
  /** How many finished orders the observed value comes from. */
  basis: number;
}

export function applyObserved(model: PssModel, observed: ObservedReliability): { model: PssModel; overrides: ReliabilityOverride[] } {
  const overrides: ReliabilityOverride[] = [];
  const activities = new Map(observed.activities.filter((a) => a.executed > 0 && a.reliability !== null).map((a) => [a.activity, a]));
  const personnel = new Map(observed.resources.filter((r) => r.total > 0 && r.theta !== null).map((r) => [`${r.resource}\u0000${r.activity}`, r]));
  const equipment = new Map(observed.resourceTotals.filter((r) => r.total > 0 && r.theta !== null).map((r) => [r.resource, r]));
  const categoryOfKind = new Map(model.resourceKinds.map((k) => [k.id, k.category]));
  const categoryOf = new Map(model.resources.map((r) => [r.id, categoryOfKind.get(r.kind)]));

  const nextActivities = model.activities.map((a) => {
    const seen = activities.get(a.id);
    if (seen === undefined || a.virtual) return a;
    overrides.push({ kind: 'activity', activity: a.id, model: a.reliability, observed: seen.reliability!, basis: seen.executed });
    return { ...a, reliability: seen.reliability! };
  });
  const nextAssignable = model.assignable.map((edge) => {
    const seen = categoryOf.get(edge.resource) === 'equipment' ? equipment.get(edge.resource) : personnel.get(`${edge.resource}\u0000${edge.activity}`);
    if (seen === undefined) return edge;
    overrides.push({ kind: 'theta', activity: edge.activity, resource: edge.resource, model: edge.theta, observed: seen.theta!, basis: seen.total });
    return { ...edge, theta: seen.theta! };
  });
  return { model: { ...model, activities: nextActivities, assignable: nextAssignable }, overrides };
}
