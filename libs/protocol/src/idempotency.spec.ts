import fc from 'fast-check';
import { DedupWindow, eventIdFor } from './index';

describe('DedupWindow', () => {
  it('reports a repeated id as a duplicate', () => {
    const window = new DedupWindow(3);
    expect(window.isDuplicate('a')).toBe(false);
    expect(window.isDuplicate('b')).toBe(false);
    expect(window.isDuplicate('a')).toBe(true);
    expect(window.size).toBe(2);
  });

  it('forgets the least recently seen id when full', () => {
    const window = new DedupWindow(2);
    window.add('a', 'b');
    expect(window.isDuplicate('a')).toBe(true); // a is now the most recent
    expect(window.isDuplicate('c')).toBe(false); // evicts b
    expect(window.ids()).toEqual(['a', 'c']);
    expect(window.has('b')).toBe(false);
    expect(window.isDuplicate('b')).toBe(false);
  });

  it('has() does not refresh, forget() and clear() remove', () => {
    const window = new DedupWindow(2);
    window.add('a', 'b');
    expect(window.has('a')).toBe(true);
    window.add('c');
    expect(window.ids()).toEqual(['b', 'c']);
    expect(window.forget('b')).toBe(true);
    expect(window.forget('b')).toBe(false);
    window.clear();
    expect(window.size).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %p', (capacity) => {
    expect(() => new DedupWindow(capacity)).toThrow(RangeError);
  });

  it('behaves like a list of the last `capacity` distinct ids (property, against a reference model)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'), { maxLength: 200 }), (capacity, ids) => {
        const window = new DedupWindow(capacity);
        let model: string[] = [];
        for (const id of ids) {
          const expected = model.includes(id);
          model = [...model.filter((x) => x !== id), id].slice(-capacity);
          expect(window.isDuplicate(id)).toBe(expected);
          expect(window.ids()).toEqual(model);
        }
        expect(window.size).toBeLessThanOrEqual(capacity);
      }),
    );
  });
});

describe('eventIdFor', () => {
  it('derives the id from the firing', () => {
    expect(eventIdFor({ gateway: 'gw-depot-1', asset: 'car-0017', trigger: 'ss.running', time: 1772439300000 })).toBe('gw-depot-1:car-0017:ss.running:1772439300000');
    expect(eventIdFor({ gateway: 'g', asset: 'a:b', trigger: 'c', time: 1 })).toBe('g:a%3Ab:c:1');
  });

  it('gives different firings different ids (property: injective)', () => {
    const firing = fc.record({ gateway: fc.string(), asset: fc.string(), trigger: fc.string(), time: fc.nat() });
    fc.assert(
      fc.property(firing, firing, (a, b) => {
        const same = a.gateway === b.gateway && a.asset === b.asset && a.trigger === b.trigger && a.time === b.time;
        expect(eventIdFor(a) === eventIdFor(b)).toBe(same);
      }),
    );
    // Near-collisions that a plain join would merge.
    expect(eventIdFor({ gateway: 'g', asset: 'a:b', trigger: 'c', time: 1 })).not.toBe(eventIdFor({ gateway: 'g', asset: 'a', trigger: 'b:c', time: 1 }));
  });
});
