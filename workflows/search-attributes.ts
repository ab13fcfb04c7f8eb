import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes ops filter on in the Temporal UI; the dev and test servers register them at start. */
export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const TenantKey = defineSearchAttributeKey('Tenant', SearchAttributeType.KEYWORD);
export const CharterStartKey = defineSearchAttributeKey('CharterStart', SearchAttributeType.DATETIME);
export const FulfillmentStageKey = defineSearchAttributeKey('FulfillmentStage', SearchAttributeType.KEYWORD);
/** SCC's id of the crew event: how an SCC callback that names only its own event finds the booking. */
export const SccEventIdKey = defineSearchAttributeKey('SccEventId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [BookingIdKey, TenantKey, CharterStartKey, FulfillmentStageKey, SccEventIdKey];

/** How the Temporal CLI spells each type (`--search-attribute Name=Type`, `search-attribute create --type`). */
export const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Set by a schedule on every run it starts: the time the run was meant for (the digest's period). */
export const ScheduledStartTimeKey = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
