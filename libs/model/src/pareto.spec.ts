import fc from 'fast-check';
import { ParetoArchive, dominates, nonDominated, sameVector, weaklyDominates } from './index';

/** Naive reference: the distinct vectors that no other vector dominates. */
function naiveFront(vectors: readonly (readonly number[])[]): string[] {
  const dominatesRef = (a: readonly number[], b: readonly number[]) => a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);
  const distinct = [...new Map(vectors.map((v) => [v.join(','), v])).values()];
  return distinct.filter((v) => !distinct.some((w) => dominatesRef(w, v))).map((v) => v.join(',')).sort();
}

const vectorsArb = fc.integer({ min: 1, max: 4 }).chain((dims) => fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: dims, maxLength: dims }), { maxLength: 40 }));

describe('dominance (all components minimized)', () => {
  it('dominates: no component worse and at least one strictly better', () => {
    expect(dominates([1, 2, 3], [1, 2, 4])).toBe(true);
    expect(dominates([0, 0], [1, 1])).toBe(true);
    expect(dominates([1, 2, 3], [1, 2, 3])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
    expect(dominates([2, 2], [1, 3])).toBe(false);
  });

  it('weaklyDominates: no component worse (equal vectors included)', () => {
    expect(weaklyDominates([1, 2], [1, 2])).toBe(true);
    expect(weaklyDominates([1, 2], [1, 3])).toBe(true);
    expect(weaklyDominates([1, 3], [1, 2])).toBe(false);
  });

  it('a maximized objective is negated: (T, C, -R)', () => {
    const s1 = [7.75, 1980, -0.79];
    const s2 = [7.75, 1992.5, -0.83];
    expect(dominates(s1, s2)).toBe(false);
    expect(dominates(s2, s1)).toBe(false);
    expect(dominates([7.75, 1980, -0.83], s2)).toBe(true);
  });

  it('sameVector compares lengths and components', () => {
    expect(sameVector([1, 2], [1, 2])).toBe(true);
    expect(sameVector([1, 2], [1, 2, 3])).toBe(false);
    expect(sameVector([1, 2], [2, 1])).toBe(false);
  });

  it('is irreflexive, asymmetric and transitive; dominance implies weak dominance', () => {
    const triple = fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(...[0, 1, 2].map(() => fc.array(fc.integer({ min: 0, max: 3 }), { minLength: d, maxLength: d }))));
    fc.assert(
      fc.property(triple, ([a, b, c]) => {
        expect(dominates(a, a)).toBe(false);
        if (dominates(a, b)) {
          expect(dominates(b, a)).toBe(false);
          expect(weaklyDominates(a, b)).toBe(true);
        }
        if (dominates(a, b) && dominates(b, c)) expect(dominates(a, c)).toBe(true);
      }),
    );
  });
});

describe('nonDominated', () => {
  it('keeps the first item of each distinct non-dominated vector, in input order', () => {
    const items = [
      { id: 'a', v: [1, 5] },
      { id: 'b', v: [2, 2] },
      { id: 'c', v: [1, 5] },
      { id: 'd', v: [3, 3] },
      { id: 'e', v: [5, 1] },
    ];
    expect(nonDominated(items, (x) => x.v).map((x) => x.id)).toEqual(['a', 'b', 'e']);
    expect(nonDominated([], (x: number[]) => x)).toEqual([]);
  });

  it('agrees with a naive O(n²) filter', () => {
    fc.assert(
      fc.property(vectorsArb, (vectors) => {
        const kept = nonDominated(vectors, (v) => v);
        expect(kept.map((v) => v.join(',')).sort()).toEqual(naiveFront(vectors));
        // kept in input order, each the first of its vector
        const firstIndex = kept.map((v) => vectors.indexOf(v));
        expect(firstIndex).toEqual([...firstIndex].sort((x, y) => x - y));
        for (const v of kept) expect(vectors.findIndex((w) => sameVector(w, v))).toBe(vectors.indexOf(v));
      }),
    );
  });
});

describe('ParetoArchive', () => {
  it('keeps one entry per distinct vector and evicts the ones a newcomer dominates', () => {
    const archive = new ParetoArchive<string>();
    expect(archive.add([2, 2], 'a')).toBe(true);
    expect(archive.add([2, 2], 'dup')).toBe(false);
    expect(archive.add([3, 3], 'worse')).toBe(false);
    expect(archive.add([1, 3], 'b')).toBe(true);
    expect(archive.items()).toEqual(['a', 'b']);
    expect(archive.add([1, 1], 'c')).toBe(true);
    expect(archive.items()).toEqual(['c']);
    expect(archive.vectors()).toEqual([[1, 1]]);
    expect(archive.size).toBe(1);
    expect(archive.covers([1, 1])).toBe(true);
    expect(archive.covers([0, 5])).toBe(false);
  });

  it('holds exactly the distinct non-dominated vectors of everything added (vs a naive filter)', () => {
    fc.assert(
      fc.property(vectorsArb, (vectors) => {
        const archive = new ParetoArchive<number>();
        vectors.forEach((v, i) => {
          const coveredBefore = archive.covers(v);
          expect(archive.add([...v], i)).toBe(!coveredBefore);
        });
        const got = archive.vectors().map((v) => v.join(','));
        expect(new Set(got).size).toBe(got.length);
        expect([...got].sort()).toEqual(naiveFront(vectors));
        // every item sits next to its own vector, and the first of equal vectors is the one kept
        for (const [k, item] of archive.items().entries()) {
          expect(archive.vectors()[k]).toEqual(vectors[item]);
          expect(vectors.findIndex((w) => sameVector(w, vectors[item]))).toBe(item);
        }
        // no member dominates another
        for (const a of archive.vectors()) for (const b of archive.vectors()) expect(dominates(a, b)).toBe(false);
      }),
    );
  });

  it('does not depend on the order of insertion (as a set of vectors)', () => {
    fc.assert(
      fc.property(
        vectorsArb.chain((vs) => fc.tuple(fc.constant(vs), fc.shuffledSubarray(vs, { minLength: vs.length, maxLength: vs.length }))),
        ([vs, shuffled]) => {
          const fill = (list: number[][]) => {
            const archive = new ParetoArchive<null>();
            for (const v of list) archive.add([...v], null);
            return archive.vectors().map((v) => v.join(',')).sort();
          };
          expect(fill(shuffled)).toEqual(fill(vs));
        },
      ),
    );
  });
});
