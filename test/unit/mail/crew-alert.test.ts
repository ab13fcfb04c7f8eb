import { execFileSync } from 'node:child_process';
import { crewRoster } from '../../../src/domain/crew';
import { composeCrewAlert, composeCrewEscalation, type CrewReplacementContext } from '../../../src/mail/crew-alert';
import { sampleBooking } from '../../../sim/samples';

const booking = sampleBooking({
  bookingId: 'BS-77',
  crew: [
    { id: 'cap', role: 'Captain', name: 'Ana <b>Reyes</b>' },
    { id: 'mate', role: "Captain's mate", name: 'Ben Okafor' },
    { id: 'chef', role: 'Chef' },
  ],
});

function context(deadlinePassed: boolean): CrewReplacementContext {
  return {
    tenantName: 'JADA Charters',
    tenantId: 'jada',
    booking,
    workflowId: 'booking-jada-boatsetter-BS-77',
    temporalUiUrl: 'http://localhost:8233/namespaces/default/workflows/booking-jada-boatsetter-BS-77',
    crew: crewRoster(
      booking.crew!,
      {
        mate: { crewId: 'mate', response: 'declined', respondedAt: '2027-05-20T10:00:00Z' },
        chef: {
          crewId: 'chef',
          response: deadlinePassed ? 'accepted' : 'declined',
          respondedAt: '2027-05-20T11:00:00Z',
        },
      },
      deadlinePassed,
    ),
  };
}

/** What a shell makes of the command line: the words the Temporal CLI would be given. */
function shellWords(command: string): string[] {
  return JSON.parse(
    execFileSync('sh', ['-c', `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- ${command}`], {
      encoding: 'utf8',
    }),
  ) as string[];
}

describe('composeCrewAlert', () => {
  const alert = composeCrewAlert({ ...context(false), declined: ['mate'] });

  it('names who declined, which booking, and the roster now', () => {
    expect(alert.subject).toBe(
      "Crew declined: Ben Okafor (Captain's mate) · Carole Martin · Sat, May 29 10:00 AM PDT · Sea Breeze (0/3 crew confirmed, ⚠ 2 declined)",
    );
    expect(alert.text).toContain('Crew declined booking boatsetter BS-77 for JADA Charters: find a replacement.');
    expect(alert.text).toContain('Charter: Sat, May 29, 2027 10:00 AM PDT on Sea Breeze, guest Carole Martin.');
    expect(alert.text).toContain("DECLINED\n- Ben Okafor (Captain's mate, mate)\n");
    expect(alert.text).toContain('CREW (0/3 crew confirmed, ⚠ 2 declined)');
    expect(alert.text).toMatch(/Ben Okafor \(mate\)\s+⚠ declined — find a replacement/);
    expect(alert.text).toMatch(/^Captain +Ana <b>Reyes<\/b> \(cap\) +… no answer yet$/m);
    expect(alert.text).toContain('Workflow: booking-jada-boatsetter-BS-77');
    expect(alert.html).toContain('Open this workflow</a>');
  });

  it('gives the ops API call and the assignCrew Update that replace the member, with the same body', () => {
    const body = { replace: 'mate', member: { id: '<new crew id>', role: "Captain's mate", name: '<name>' } };
    expect(alert.text).toContain(`POST /tenants/jada/bookings/BS-77/crew?source=boatsetter\n`);
    expect(alert.text).toContain(`\n\n${JSON.stringify(body)}\n`);
    const command = alert.text.split('\n').find((line) => line.startsWith('temporal workflow update execute'));
    expect(command).toBeDefined();
    const words = shellWords(command!.replace(/^temporal /, ''));
    expect(words).toEqual([
      'workflow',
      'update',
      'execute',
      '--name',
      'assignCrew',
      '--workflow-id',
      'booking-jada-boatsetter-BS-77',
      '--input',
      JSON.stringify(body),
    ]);
  });

  it('tells of several declines in one email, one replacement each, only the ones passed', () => {
    const both = composeCrewAlert({ ...context(false), declined: ['chef', 'mate'] });
    expect(both.subject).toMatch(/^Crew declined: Ben Okafor \(Captain's mate\), chef \(Chef\) · /);
    expect(both.text).toContain("DECLINED\n- Ben Okafor (Captain's mate, mate)\n- chef (Chef, chef)\n");
    expect(both.text.match(/^POST /gm)).toHaveLength(2);
    expect(both.text.match(/^temporal workflow update execute/gm)).toHaveLength(2);
    expect(alert.text.match(/^POST /gm)).toHaveLength(1);
  });

  it('escapes names and roles in the HTML, the commands included', () => {
    const hostile = composeCrewAlert({ ...context(false), tenantName: '<i>JADA</i>', declined: ['cap', 'mate'] });
    expect(hostile.html).not.toMatch(/<b>|<i>/);
    expect(hostile.html).toContain('Ana &lt;b&gt;Reyes&lt;/b&gt; (Captain, cap)');
    expect(hostile.html).toContain('&quot;replace&quot;:&quot;cap&quot;');
    expect(hostile.html).toMatch(/<pre [^>]*>temporal workflow update execute --name assignCrew /);
  });
});

describe('composeCrewEscalation', () => {
  const escalation = composeCrewEscalation({ ...context(true), missing: ['cap'] });

  it('names who never answered, after reminders, with the roster and how to replace them', () => {
    expect(escalation.subject).toBe(
      'No crew answer: Ana <b>Reyes</b> (Captain) · Carole Martin · Sat, May 29 10:00 AM PDT · Sea Breeze (1/3 crew confirmed, ⚠ 1 declined, 1 no answer)',
    );
    expect(escalation.text).toContain(
      "The crew deadline of booking boatsetter BS-77 for JADA Charters passed without an answer from crew, after SCC's reminders",
    );
    expect(escalation.text).toContain('NO ANSWER\n- Ana <b>Reyes</b> (Captain, cap)\n');
    expect(escalation.text).toMatch(
      /^Captain +Ana <b>Reyes<\/b> \(cap\) +⚠ no answer — call them or find a replacement$/m,
    );
    expect(escalation.text).toContain(
      '{"replace":"cap","member":{"id":"<new crew id>","role":"Captain","name":"<name>"}}',
    );
    expect(escalation.text).toContain('--workflow-id \'booking-jada-boatsetter-BS-77\' --input \'{"replace":"cap"');
    expect(escalation.html).not.toContain('<b>Reyes');
  });
});
