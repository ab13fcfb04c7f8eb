export { bookingFulfillment } from './booking-fulfillment';
export { crewResponseSignal, statusQuery } from './messages';
