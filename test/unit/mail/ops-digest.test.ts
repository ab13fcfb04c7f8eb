import type { OpsDigest } from '../../../src/domain/ops-digest';
import { composeCrewRoster } from '../../../src/mail/crew-roster';
import { crewRosterMessageId, opsDigestMessageId } from '../../../src/mail/message-id';
import { composeOpsDigest } from '../../../src/mail/ops-digest';

const digest: OpsDigest = {
  tenant: 't1',
  period: '2026-12-02',
  timeZone: 'America/Los_Angeles',
  at: '2026-12-02T15:00:00.000Z',
  days: { yesterday: '2026-12-01', today: '2026-12-02', tomorrow: '2026-12-03' },
  today: [
    {
      workflowId: 'booking-t1-boatsetter-bs-1',
      source: 'boatsetter',
      bookingId: 'bs-1',
      start: '2026-12-02T10:00:00-08:00',
      end: '2026-12-02T13:00:00-08:00',
      timeZone: 'America/Los_Angeles',
      boat: 'Sea Breeze',
      guestName: 'Carole <Martin>',
      partySize: 6,
      stage: 'KEEPING_PAGE_CURRENT',
      crew: [
        { id: 'cap', role: 'Captain', name: 'Ana', status: 'accepted' },
        { id: 'mate', role: 'Mate', status: 'declined' },
      ],
      held: false,
      statusUnavailable: false,
    },
  ],
  tomorrow: [],
  needsAction: [
    {
      workflowId: 'booking-t1-boatsetter-bs-1',
      source: 'boatsetter',
      bookingId: 'bs-1',
      charterStart: '2026-12-02T10:00:00-08:00',
      reason: 'NEEDS_CREW',
      detail: 'Mate mate declined',
    },
  ],
  revenue: {
    day: '2026-12-01',
    bySource: [
      { source: 'boatsetter', currency: 'USD', charters: 2, guestTotal: 158000, payout: 40000, payoutCharters: 1 },
    ],
    withoutPricing: 1,
  },
  truncated: false,
};

describe('the ops digest email', () => {
  const email = composeOpsDigest({
    tenantName: 'JADA Charters',
    digest,
    temporalUiUrl: (id) => `http://ui/workflows/${id}`,
  });

  test('the subject counts the days and flags what needs action', () => {
    expect(email.subject).toBe('Ops digest Wed, Dec 2, 2026: 1 today, 0 tomorrow, ⚠ 1 needs action');
  });

  test('text and HTML list the charter, its crew, the action and the revenue; guest text is escaped', () => {
    expect(email.text).toContain('10:00 AM–1:00 PM PST · Sea Breeze · Carole <Martin>, 6 guests · boatsetter bs-1');
    expect(email.text).toContain('1/2 crew confirmed, ⚠ 1 declined');
    expect(email.text).toContain('Needs crew');
    expect(email.text).toMatch(/boatsetter\s+2 charters\s+\$1,580\.00\s+payout \$400\.00 \(1 of 2 reported\)/);
    expect(email.text).toContain("1 of yesterday's charters have no pricing");
    expect(email.text).toContain('Tomorrow, Thu, Dec 3, 2026\nNo charters.');
    expect(email.html).toContain('Carole &lt;Martin&gt;');
    expect(email.html).not.toContain('Carole <Martin>');
    expect(email.html).toContain('http://ui/workflows/booking-t1-boatsetter-bs-1');
  });
});

describe('the crew roster email', () => {
  const email = composeCrewRoster({
    tenantName: 'JADA Charters',
    timeZone: 'America/Los_Angeles',
    roster: { ...digest.today[0]!, sccEventId: 'scc-42' },
  });
  test('confirmed crew first, then everyone asked, and where the crew are reached', () => {
    expect(email.subject).toBe(
      'Crew roster: Sea Breeze · Wed, Dec 2, 2026 10:00 AM PST · 1/2 crew confirmed, ⚠ 1 declined',
    );
    expect(email.text).toContain('CONFIRMED CREW (1)\nCaptain: Ana (cap)\n');
    expect(email.text).toContain('SCC event: scc-42');
    expect(email.text).toContain('declined — find a replacement');
  });
});

describe('digest and roster Message-IDs', () => {
  test('one per tenant and period; one per booking and charter instant, whatever its offset', () => {
    expect(opsDigestMessageId('t1', '2026-12-02')).toBe(opsDigestMessageId('t1', '2026-12-02'));
    expect(opsDigestMessageId('t1', '2026-12-02')).not.toBe(opsDigestMessageId('t1', '2026-12-03'));
    expect(opsDigestMessageId('t1', '2026-12-02')).not.toBe(opsDigestMessageId('t2', '2026-12-02'));
    expect(crewRosterMessageId('w', '2026-12-02T10:00:00-08:00')).toBe(
      crewRosterMessageId('w', '2026-12-02T18:00:00Z'),
    );
    expect(crewRosterMessageId('w', '2026-12-02T10:00:00-08:00')).not.toBe(
      crewRosterMessageId('w', '2026-12-02T11:00:00-08:00'),
    );
  });
});
