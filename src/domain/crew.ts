import type { CrewAssignment } from './booking';

export type CrewAnswer = 'accepted' | 'declined';

/** A crew member's answer as it arrives from SCC (via our callback) and becomes the `crewResponse` signal. */
export interface CrewResponse {
  crewId: string;
  response: CrewAnswer;
  /** ISO-8601 instant at which the crew member answered, as SCC reports it. */
  respondedAt: string;
}

export type CrewStatus = 'pending' | 'accepted' | 'declined' | 'no-answer';

export interface CrewMemberStatus extends CrewAssignment {
  status: CrewStatus;
  respondedAt?: string;
}

/**
 * Keeps the first answer per crew member: SCC may deliver a callback twice and a crew member may
 * click twice; changing one's mind goes through ops, not a second click. Returns whether it was recorded.
 */
export function recordCrewResponse(
  answers: Record<string, CrewResponse>,
  crew: readonly CrewAssignment[],
  response: CrewResponse,
): 'recorded' | 'duplicate' | 'unknown-crew' {
  if (!crew.some((c) => c.id === response.crewId)) return 'unknown-crew';
  if (answers[response.crewId]) return 'duplicate';
  answers[response.crewId] = response;
  return 'recorded';
}

export function everyoneAnswered(crew: readonly CrewAssignment[], answers: Record<string, CrewResponse>): boolean {
  return crew.every((c) => answers[c.id] !== undefined);
}

/** The roster with each member's state; `deadlinePassed` turns the silent ones from pending to no-answer. */
export function crewRoster(
  crew: readonly CrewAssignment[],
  answers: Record<string, CrewResponse>,
  deadlinePassed: boolean,
): CrewMemberStatus[] {
  return crew.map((member) => {
    const answer = answers[member.id];
    if (answer) return { ...member, status: answer.response, respondedAt: answer.respondedAt };
    return { ...member, status: deadlinePassed ? 'no-answer' : 'pending' };
  });
}

export function confirmedCrew(roster: readonly CrewMemberStatus[]): CrewMemberStatus[] {
  return roster.filter((m) => m.status === 'accepted');
}
