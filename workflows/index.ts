export { bookingLifecycle } from './booking-lifecycle';
/** Kept registered while bookings started before the entity still run (README: the upgrade path). */
export { bookingFulfillment } from './booking-fulfillment';
export { feedSync } from './feed-sync';
export { crewRosters, opsDigest } from './ops-digest';
export {
  assignCrewUpdate,
  changeBookingUpdate,
  completeBookingUpdate,
  crewResponseSignal,
  statusQuery,
} from './messages';
