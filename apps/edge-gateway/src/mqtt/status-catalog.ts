// The model's statuses by reference `<part id>.<status key>`. Part ids may contain dots (`p.axle`) and status keys
// do not, but a reference is resolved against the model's own parts rather than split at some dot, so that
// `p.axle.vibration_rms` is part `p.axle`, status `vibration_rms`, whatever the ids look like.

/** What the catalog needs of a model part (a `PssModel['parts']` element fits). */
export interface ModelPart {
  readonly id: string;
  readonly statuses: readonly { readonly key: string }[];
}

export interface StatusRef {
  /** `<part>.<status>` */
  readonly ref: string;
  readonly part: string;
  readonly status: string;
}

export class StatusCatalog {
  private readonly byRef = new Map<string, StatusRef>();

  constructor(parts: readonly ModelPart[]) {
    for (const part of parts) {
      for (const { key } of part.statuses) {
        const ref = `${part.id}.${key}`;
        const existing = this.byRef.get(ref);
        if (existing) throw new Error(`status reference "${ref}" is ambiguous: part "${existing.part}" status "${existing.status}" and part "${part.id}" status "${key}"`);
        this.byRef.set(ref, { ref, part: part.id, status: key });
      }
    }
  }

  /** The status a reference names, or undefined when the model has none such. */
  resolve(ref: string): StatusRef | undefined {
    return this.byRef.get(ref);
  }

  all(): IterableIterator<StatusRef> {
    return this.byRef.values();
  }

  get size(): number {
    return this.byRef.size;
  }
}
