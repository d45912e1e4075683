import { topicMatches } from '@pss/protocol';
import { filterCovers, stripSharedPrefix, topicFilterProblem, topicNameProblem } from './topic-filter';

describe('topic filters', () => {
  it('validates filters and names', () => {
    for (const f of ['a', 'a/b', '+', '#', 'a/+/c', 'a/#', '/', '+/+', '$SYS/#']) expect(topicFilterProblem(f)).toBeUndefined();
    for (const f of ['', 'a/#/b', 'a#', 'a/b+', '#/a', 'a+/b']) expect(topicFilterProblem(f)).toBeDefined();
    expect(topicNameProblem('vehicles/car-1/telemetry')).toBeUndefined();
    for (const t of ['', 'a/+', 'a/#']) expect(topicNameProblem(t)).toBeDefined();
  });

  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['+/+', '/b', true],
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
    ['a/b', 'a/c', false],
  ])('filter %s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ['a/#', 'a/+', true],
    ['a/#', 'a/#', true],
    ['a/#', 'a/b/#', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/#', false],
    ['a/b', 'a/+', false],
    ['+/b', 'x/b', true],
    ['+/b', '+/b', true],
    ['+/b', '#', false],
    ['#', '#', true],
    ['#', '$SYS/#', false],
  ])('%s covers %s: %s', (allowed, requested, expected) => {
    expect(filterCovers(allowed, requested)).toBe(expected);
  });

  it('reads a shared subscription as its filter', () => {
    expect(stripSharedPrefix('$share/gw/vehicles/+/telemetry')).toBe('vehicles/+/telemetry');
    expect(stripSharedPrefix('vehicles/#')).toBe('vehicles/#');
  });
});
