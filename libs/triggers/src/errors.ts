// Errors in trigger conditions. A condition is written by a person in a model file, so every
// error points at the place in the text (line, column, caret excerpt) where it went wrong.

/** Where an offset lies in a text: 1-based line and column, and the text of that line. */
function locate(source: string, offset: number): { line: number; column: number; lineText: string } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = source.indexOf('\n', offset);
  return {
    line: before.split('\n').length,
    column: offset - lineStart + 1,
    lineText: source.slice(lineStart, lineEnd < 0 ? source.length : lineEnd),
  };
}

/**
 * A condition that does not parse, type-check or resolve. `message` ends with the position
 * ("... at column 12"); `reason` is the same text without it; `excerpt` is the offending line with
 * a caret under the column, ready to print under the message.
 */
export class ConditionError extends Error {
  override readonly name = 'ConditionError';
  /** 1-based column within `line`. */
  readonly column: number;
  /** 1-based line (conditions are usually one line; YAML block scalars may span several). */
  readonly line: number;
  /** 0-based offset into the condition text. */
  readonly offset: number;
  readonly reason: string;
  readonly excerpt: string;
  /** The trigger whose condition this is, when known (the engine fills it in). */
  readonly trigger: string | undefined;

  constructor(
    readonly source: string,
    offset: number,
    reason: string,
    trigger?: string,
  ) {
    const at = Math.max(0, Math.min(offset, source.length));
    const { line, column, lineText } = locate(source, at);
    const where = source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
    super(`${trigger ? `trigger ${trigger}: ` : ''}${reason} at ${where}`);
    this.offset = at;
    this.line = line;
    this.column = column;
    this.reason = reason;
    this.trigger = trigger;
    // Tabs keep their width in the caret line so that the caret stays under the character.
    const pad = lineText.slice(0, column - 1).replace(/[^\t]/g, ' ');
    this.excerpt = `  ${lineText}\n  ${pad}^`;
  }

  /** The same error attributed to a trigger (the parser does not know which trigger it reads). */
  forTrigger(trigger: string): ConditionError {
    return new ConditionError(this.source, this.offset, this.reason, trigger);
  }

  /** Message and excerpt, for a terminal. */
  format(): string {
    return `${this.message}\n${this.excerpt}`;
  }
}

/** Every condition error of a model at once, so that a model author fixes them in one pass. */
export class TriggerModelError extends Error {
  override readonly name = 'TriggerModelError';
  constructor(readonly errors: readonly (ConditionError | Error)[]) {
    super(errors.map((e) => (e instanceof ConditionError ? e.format() : e.message)).join('\n'));
  }
}
