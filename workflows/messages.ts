import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CrewResponse } from '../src/domain/crew';
import type { BookingStatus } from './types';

/** Crew confirmations: SCC -> our crew-response callback -> this signal. Duplicates are harmless. */
export const crewResponseSignal = defineSignal<[CrewResponse]>('crewResponse');

/** Everything ops (and the booking status endpoint) need to know about a booking right now. */
export const statusQuery = defineQuery<BookingStatus>('status');
