import type { SccSim } from '../../sim/scc';

/**
 * The crew's side of the SCC stand-in's inbox, for the tests and scripts that answer as crew do: each
 * crew member's magic link opens a page whose form posts the answer, and SCC then calls our callback.
 */

/** The magic links SCC sent the crew of the booking's event (its external id is the workflow id). */
export function crewMagicLinks(scc: SccSim, workflowId: string): string[] {
  const event = scc.events.find((e) => e.external_id === workflowId);
  if (!event) throw new Error(`no SCC event for ${workflowId}`);
  return event.magic_links.map((link) => link.url);
}

/** Clicks Accept on a magic link's page: the form's POST, its redirect not followed (the caller reads it). */
export function acceptThroughMagicLink(url: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'response=accepted',
    redirect: 'manual',
  });
}
