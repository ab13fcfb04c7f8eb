export { bookingLifecycle } from './booking-lifecycle';
/** Kept registered while bookings started before the entity still run (README: the upgrade path). */
export { bookingFulfillment } from './booking-fulfillment';
export { assignCrewUpdate, changeBookingUpdate, crewResponseSignal, statusQuery } from './messages';
