import { crewRoster } from '../../../src/domain/crew';
import { composeCrewUpdate } from '../../../src/mail/crew-update';
import { crewUpdateMessageId } from '../../../src/mail/message-id';
import { sampleBooking } from '../../../sim/samples';

test('a crew update names who answered, shows the whole roster, and escapes names in HTML', () => {
  const booking = sampleBooking({
    crew: [
      { id: 'cap', role: 'Captain', name: 'Ana <b>Reyes</b>' },
      { id: 'mate', role: 'Deckhand', name: 'Ben Okafor' },
    ],
  });
  const crew = crewRoster(
    booking.crew!,
    { mate: { crewId: 'mate', response: 'declined', respondedAt: '2027-05-20T10:00:00Z' } },
    true,
  );
  const update = composeCrewUpdate({
    tenantName: 'JADA Charters',
    booking,
    workflowId: 'wf-1',
    crew,
    changed: ['mate'],
  });
  expect(update.subject).toBe(
    'Crew update: Ben Okafor (Deckhand) declined · Carole Martin · Sat, May 29 10:00 AM PDT · Sea Breeze (0/2 crew confirmed, ⚠ 1 declined, 1 no answer)',
  );
  expect(update.text).toContain('CREW (0/2 crew confirmed, ⚠ 1 declined, 1 no answer)');
  expect(update.text).toMatch(/Ben Okafor \(mate\)\s+⚠ declined — find a replacement/);
  expect(update.text).toMatch(/Ana <b>Reyes<\/b> \(cap\)\s+⚠ no answer/);
  expect(update.html).toContain('Ana &lt;b&gt;Reyes&lt;/b&gt;');
  expect(update.html).not.toContain('<b>Reyes');
});

test('each crew update of a booking has its own deterministic Message-ID', () => {
  expect(crewUpdateMessageId('wf-1', 1)).toBe(crewUpdateMessageId('wf-1', 1));
  expect(crewUpdateMessageId('wf-1', 1)).not.toBe(crewUpdateMessageId('wf-1', 2));
  expect(crewUpdateMessageId('wf-1', 1)).toMatch(/^<[0-9a-f]{32}\.crew-update@charter-fulfillment\.local>$/);
});
