import { describe, expect, it } from 'vitest';
import { fillBuckets, percent, rangeById, rangeQuery, totalsOf, type Usage } from '@/features/usage/api/usage';

const NOW = Date.parse('2025-03-10T14:37:12Z');

describe('rangeQuery', () => {
  it('asks for 24 whole hours ending with the current one', () => {
    expect(rangeQuery(rangeById('24h'), NOW)).toEqual({
      from: '2025-03-09T15:00:00.000Z',
      to: '2025-03-10T15:00:00.000Z',
      granularity: 'hour',
    });
  });

  it('asks for 7 and 30 whole UTC days ending with today', () => {
    expect(rangeQuery(rangeById('7d'), NOW)).toEqual({
      from: '2025-03-04T00:00:00.000Z',
      to: '2025-03-11T00:00:00.000Z',
      granularity: 'day',
    });
    expect(rangeQuery(rangeById('30d'), NOW).from).toBe('2025-02-09T00:00:00.000Z');
  });

  it('falls back to 24 hours for an unknown range', () => {
    expect(rangeById('1y').id).toBe('24h');
    expect(rangeById(null).id).toBe('24h');
  });
});

describe('fillBuckets', () => {
  const usage: Usage = {
    from: '2025-03-04T00:00:00Z',
    to: '2025-03-11T00:00:00Z',
    granularity: 'day',
    buckets: [
      { start: '2025-03-05T00:00:00Z', allowed: 5, denied: 1, rateLimited: 0, invalid: 2 },
      // a server truncating days at UTC+1: lands in the day it means (10 March)
      { start: '2025-03-09T23:00:00Z', allowed: 1, denied: 0, rateLimited: 3, invalid: 0 },
    ],
    operations: [],
  };

  it('gives every bucket of the range, with zeros where the server answered none', () => {
    const points = fillBuckets(usage);
    expect(points).toHaveLength(7);
    expect(points.map((p) => p.total)).toEqual([0, 8, 0, 0, 0, 0, 4]);
    expect(points[1]).toMatchObject({ start: Date.parse('2025-03-05T00:00:00Z'), allowed: 5, denied: 1, invalid: 2 });
  });

  it('sums the totals by outcome', () => {
    expect(totalsOf(usage)).toEqual({ allowed: 6, denied: 1, rateLimited: 3, invalid: 2, total: 12 });
  });

  it('handles an empty answer', () => {
    const empty = { ...usage, buckets: [] };
    expect(fillBuckets(empty).every((p) => p.total === 0)).toBe(true);
    expect(totalsOf(empty).total).toBe(0);
  });
});

describe('percent', () => {
  it('rounds, shows tiny shares as <1% and never divides by zero', () => {
    expect(percent(1, 3)).toBe('33%');
    expect(percent(1, 1000)).toBe('<1%');
    expect(percent(0, 0)).toBe('0%');
  });
});
