import fc from 'fast-check';
import { nextSnapshot, planFeedSync, type FeedEventTimes } from '../../../src/domain/feed-sync';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const ev = (key: string, start: string, end: string): FeedEventTimes => ({ key, start, end });

describe('planning a feed sync', () => {
  const a = ev('bs.a', '2026-12-05T17:00:00Z', '2026-12-05T20:00:00Z');
  const b = ev('bs.b', '2026-12-06T17:00:00Z', '2026-12-06T20:00:00Z');
  const c = ev('bs.c', '2026-12-07T17:00:00Z', '2026-12-07T20:00:00Z');
  const past = ev('bs.p', '2026-11-20T17:00:00Z', '2026-11-20T20:00:00Z');

  test('one new, one moved, one gone: a held booking, a change, a report, and nothing else', () => {
    const movedB = ev('bs.b', '2026-12-06T18:00:00Z', '2026-12-06T21:00:00Z');
    const d = ev('bs.d', '2026-12-09T17:00:00Z', '2026-12-09T20:00:00Z');
    const plan = planFeedSync([a, b, c], [a, movedB, d], NOW);
    expect(plan.added).toEqual([d]);
    expect(plan.moved).toEqual([{ ...movedB, before: { start: b.start, end: b.end } }]);
    expect(plan.vanished).toEqual([c]);
  });

  test('the same instant written another way is not a move', () => {
    const sameA = ev('bs.a', '2026-12-05T07:00:00-10:00', '2026-12-05T10:00:00-10:00');
    expect(planFeedSync([a], [sameA], NOW)).toMatchObject({ added: [], moved: [], vanished: [] });
  });

  test('past events are neither new nor missing', () => {
    expect(planFeedSync([], [past], NOW)).toMatchObject({ added: [], past: 1 });
    expect(planFeedSync([past], [], NOW)).toMatchObject({ vanished: [] });
  });

  test('the first sync: every future event is new', () => {
    expect(planFeedSync([], [a, b, past], NOW).added).toEqual([a, b]);
  });

  test('the snapshot keeps future events and the validators, nothing else', () => {
    expect(nextSnapshot([a, past], { etag: '"x"' }, NOW)).toEqual({
      syncedAt: new Date(NOW).toISOString(),
      etag: '"x"',
      events: [a],
    });
  });

  test('property: applying the plan to the previous snapshot gives the current feed', () => {
    const hours = fc.integer({ min: 1, max: 2000 });
    const event = fc.record({
      key: fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5'),
      at: hours,
      length: fc.integer({ min: 1, max: 12 }),
    });
    const feed = fc
      .uniqueArray(event, { selector: (e) => e.key })
      .map((es) =>
        es.map((e) =>
          ev(
            e.key,
            new Date(NOW + e.at * 3600_000).toISOString(),
            new Date(NOW + (e.at + e.length) * 3600_000).toISOString(),
          ),
        ),
      );
    fc.assert(
      fc.property(feed, feed, (previous, current) => {
        const plan = planFeedSync(previous, current, NOW);
        const result = new Map(previous.map((e) => [e.key, e]));
        for (const e of plan.vanished) result.delete(e.key);
        for (const e of [...plan.added, ...plan.moved.map(({ before: _, ...e }) => e)]) result.set(e.key, e);
        const key = (es: FeedEventTimes[]) =>
          es.map((e) => `${e.key}@${Date.parse(e.start)}-${Date.parse(e.end)}`).sort();
        expect(key([...result.values()])).toEqual(key(current));
      }),
    );
  });
});
