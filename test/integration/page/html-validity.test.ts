import type { CrewMemberStatus } from '../../../src/domain/crew';
import { renderGuestPage } from '../../../src/page/render';
import { sampleBooking } from '../../../sim/samples';
import { startGuestSite, type GuestSite } from '../../support/browser';
import { vnuErrors } from '../../support/vnu';

/**
 * The guest page through the Nu Html Checker, in every state, as published by the publishGuestPage
 * activity (with a real presigned POST in the form), and once with hostile text in every field.
 */

const CREW: CrewMemberStatus[] = [
  { id: 'crew-captain-ana', role: 'Captain', name: 'Ana Reyes', status: 'accepted' },
  { id: 'crew-mate-ben', role: 'Deckhand', status: 'accepted' },
  { id: 'crew-chef-dee', role: 'Chef', name: 'Dee Quinn', status: 'pending' },
];

let site: GuestSite;

beforeAll(async () => {
  site = await startGuestSite({ uploadMaxBytes: 15 * 1024 * 1024 });
});

afterAll(async () => {
  await site?.stop();
});

describe('guest page HTML (Nu Html Checker)', () => {
  it('has no errors in the window, before it, after it, and with hostile text', async () => {
    const [open, closed, notYetOpen] = await Promise.all(
      (['open', 'closed', 'not-yet-open'] as const).map((state) =>
        site.publish({ state, booking: sampleBooking(), crew: CREW }),
      ),
    );
    const noCrew = await site.publish({ state: 'open', booking: sampleBooking(), crew: [] });
    const attack = '</title><script>alert(1)</script>\u0000\u0007"\'<!-- ]]> &amp; \ufffe\ud800';
    const base = sampleBooking();
    const hostile = renderGuestPage({
      booking: { ...base, guest: { ...base.guest, name: attack }, boat: attack },
      slug: open!.slug,
      operator: { name: attack, phone: attack, email: `x@y.z${attack}` },
      meetingPoint: { name: attack, directionsUrl: `https://maps.example.com/?q=${attack}` },
      crew: [{ id: 'c1', role: attack, name: attack, status: 'accepted' }],
      now: Date.now(),
      upload: {
        state: 'open',
        opensAt: Date.now(),
        closesAt: Date.now() + 3600_000,
        form: {
          url: `https://s3.example.com/${attack}`,
          fields: { [attack]: attack, key: 'uploads/x/${filename}' },
          maxBytes: 1024,
          accept: [attack],
        },
      },
      calendarFileUrl: `https://guests.example.com/${attack}.ics`,
    });

    const errors = await vnuErrors({
      open: open!.html,
      closed: closed!.html,
      'not-yet-open': notYetOpen!.html,
      'open, no crew confirmed yet': noCrew.html,
      hostile,
    });

    expect(errors).toEqual({
      open: [],
      closed: [],
      'not-yet-open': [],
      'open, no crew confirmed yet': [],
      hostile: [],
    });
  });
});
