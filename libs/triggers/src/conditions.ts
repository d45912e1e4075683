// Reading the conditions of a whole model: which status names exist, which part each trigger may
// look at, and every error at once.
import { PssModel, Trigger } from '@pss/model';
import { walk } from './ast';
import { ConditionError } from './errors';
import { ParsedCondition, parseCondition } from './parser';

/** `<part id>.<status key>` for every status of the model, in model order. */
export function statusRefs(model: PssModel): string[] {
  return model.parts.flatMap((p) => p.statuses.map((s) => `${p.id}.${s.key}`));
}

/**
 * Parses one trigger's condition. References resolve against all of the model's statuses (so that
 * hyphenated part ids lex right), then each must belong to a part the trigger monitors: MODEL.md
 * section 6 makes a condition an expression over the trigger's monitored parts.
 */
export function parseTriggerCondition(model: PssModel, trigger: Trigger, known: ReadonlySet<string> = new Set(statusRefs(model))): ParsedCondition | undefined {
  if (trigger.condition === undefined) return undefined;
  const source = trigger.condition;
  try {
    const parsed = parseCondition(source, { statuses: known, explainUnknown: (word) => explainUnknown(model, word) });
    const monitored = new Set(trigger.monitors);
    walk(parsed.ast, (n) => {
      if (n.kind !== 'status' && n.kind !== 'window') return;
      const part = partOf(model, n.ref);
      if (!monitored.has(part)) {
        const at = n.kind === 'status' ? n.start : source.indexOf(n.ref, n.start);
        throw new ConditionError(source, at, `"${n.ref}" is a status of part ${part}, which this trigger does not monitor (monitors: ${trigger.monitors.join(', ') || 'none'})`);
      }
    });
    return parsed;
  } catch (error) {
    if (error instanceof ConditionError) throw error.forTrigger(trigger.id);
    throw error;
  }
}

/** Every condition error of a model (empty when all conditions compile). */
export function checkTriggerConditions(model: PssModel): ConditionError[] {
  const known = new Set(statusRefs(model));
  const errors: ConditionError[] = [];
  for (const trigger of model.triggers) {
    try {
      parseTriggerCondition(model, trigger, known);
    } catch (error) {
      if (error instanceof ConditionError) errors.push(error);
      else throw error;
    }
  }
  return errors;
}

/** The part a known status reference belongs to (the reference minus its last `.key`). */
export function partOf(model: PssModel, ref: string): string {
  return ref.slice(0, ref.lastIndexOf('.'));
}

/** A hint for an unknown reference: the statuses of the part it names, or how to write a minus. */
function explainUnknown(model: PssModel, word: string): string {
  const part = model.parts
    .filter((p) => word.startsWith(`${p.id}.`))
    .sort((a, b) => b.id.length - a.id.length)[0];
  if (part) {
    return part.statuses.length ? `part ${part.id} has ${part.statuses.map((s) => s.key).join(', ')}` : `part ${part.id} has no statuses`;
  }
  if (word.includes('-')) return 'no part id starts it; a minus between two statuses needs spaces around it';
  return 'no part id starts it';
}
