import { crewRoster, everyoneAnswered, recordCrewResponse, type CrewResponse } from '../../../src/domain/crew';
import { formatMoney } from '../../../src/domain/money';
import { revenueBreakdown } from '../../../src/domain/revenue';
import { confirmationDeadline, nextPageChange, uploadWindow, uploadWindowState } from '../../../src/domain/time';

describe('revenue breakdown', () => {
  test('lines, guest total, payout and marketplace share in minor units', () => {
    const b = revenueBreakdown({
      currency: 'USD',
      base: 120000,
      captain: 25000,
      fuel: 8000,
      serviceFee: 15300,
      tax: 9800,
      tip: 20000,
      payout: 150000,
    });
    expect(b.lines.map((l) => l.label)).toEqual(['Charter (base)', 'Captain', 'Fuel', 'Service fee', 'Tax', 'Tip']);
    expect(b.guestTotal).toEqual({ amount: 198100, currency: 'USD' });
    expect(b.payout).toEqual({ amount: 150000, currency: 'USD' });
    expect(b.marketplaceShare).toEqual({ amount: 48100, currency: 'USD' });
    expect(formatMoney(b.guestTotal)).toBe('$1,981.00');
  });

  test('absent lines are left out, and no payout means no share', () => {
    const b = revenueBreakdown({ currency: 'EUR', base: 50000 });
    expect(b.lines).toHaveLength(1);
    expect(b.payout).toBeUndefined();
    expect(b.marketplaceShare).toBeUndefined();
  });

  test('currencies without minor units format correctly', () => {
    expect(formatMoney({ amount: 15000, currency: 'JPY' })).toBe('¥15,000');
  });
});

describe('crew answers', () => {
  const crew = [
    { id: 'a', role: 'Captain' },
    { id: 'b', role: 'Deckhand' },
  ];
  const answer = (crewId: string, response: CrewResponse['response']): CrewResponse => ({
    crewId,
    response,
    respondedAt: '2027-01-01T00:00:00Z',
  });

  test('the first answer per member wins; unknown crew is ignored', () => {
    const answers: Record<string, CrewResponse> = {};
    expect(recordCrewResponse(answers, crew, answer('a', 'declined'))).toBe('recorded');
    expect(recordCrewResponse(answers, crew, answer('a', 'accepted'))).toBe('duplicate');
    expect(recordCrewResponse(answers, crew, answer('zz', 'accepted'))).toBe('unknown-crew');
    expect(answers.a?.response).toBe('declined');
    expect(everyoneAnswered(crew, answers)).toBe(false);
    expect(crewRoster(crew, answers, false).map((m) => m.status)).toEqual(['declined', 'pending']);
    expect(crewRoster(crew, answers, true).map((m) => m.status)).toEqual(['declined', 'no-answer']);
  });
});

describe('time windows', () => {
  const HOUR = 3600_000;
  test('confirmation deadline: the timeout, but never later than the lead before the charter, never before receipt', () => {
    expect(confirmationDeadline(0, 100 * HOUR, 48 * HOUR, 24 * HOUR)).toBe(48 * HOUR);
    expect(confirmationDeadline(0, 60 * HOUR, 48 * HOUR, 24 * HOUR)).toBe(36 * HOUR);
    expect(confirmationDeadline(10 * HOUR, 20 * HOUR, 48 * HOUR, 24 * HOUR)).toBe(10 * HOUR);
  });

  test('upload window state and the next page change', () => {
    const w = uploadWindow(
      { start: '2027-05-29T17:00:00Z', end: '2027-05-29T20:00:00Z' },
      { openBeforeStartMs: 7 * 24 * HOUR, closeAfterEndMs: 3 * 24 * HOUR },
    );
    expect(new Date(w.opensAt).toISOString()).toBe('2027-05-22T17:00:00.000Z');
    expect(new Date(w.closesAt).toISOString()).toBe('2027-06-01T20:00:00.000Z');
    expect(uploadWindowState(w, w.opensAt - 1)).toBe('not-yet-open');
    expect(uploadWindowState(w, w.opensAt)).toBe('open');
    expect(uploadWindowState(w, w.closesAt)).toBe('closed');
    expect(nextPageChange(w, { state: 'not-yet-open', at: 0 }, 6 * 24 * HOUR)).toBe(w.opensAt);
    expect(nextPageChange(w, { state: 'open', at: w.opensAt }, 6 * 24 * HOUR)).toBe(w.opensAt + 6 * 24 * HOUR);
    expect(nextPageChange(w, { state: 'open', at: w.opensAt }, 30 * 24 * HOUR)).toBe(w.opensAt + 7 * 24 * HOUR);
    expect(nextPageChange(w, { state: 'open', at: w.closesAt - HOUR }, 6 * 24 * HOUR)).toBe(w.closesAt);
    expect(nextPageChange(w, { state: 'closed', at: w.closesAt }, 6 * 24 * HOUR)).toBeUndefined();
  });
});
