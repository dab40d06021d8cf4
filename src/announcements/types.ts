import { EVENT_KINDS, KIND_LABELS, REGION_LABELS, type EventKind, type Region } from '../events/types';

/** The regions a person can follow: where HSUG meets, and online (an event "elsewhere" reaches those who follow its kind). */
export const FOLLOWED_REGIONS = ['london', 'scotland', 'north_west', 'online'] as const satisfies readonly Region[];
export type FollowedRegion = (typeof FOLLOWED_REGIONS)[number];

export const FOLLOWED_KINDS = EVENT_KINDS;

/**
 * What a subscriber hears about: every event, or the events of the kinds or in the regions they chose. An event reaches
 * a subscriber who follows everything, its kind, or its region ("a London evening meeting reaches those who follow
 * evening meetings, London, or everything").
 */
export interface Choices {
  allEvents: boolean;
  kinds: EventKind[];
  regions: FollowedRegion[];
}

export type SubscriberStatus = 'pending' | 'confirmed';

export interface Subscriber extends Choices {
  id: number;
  email: string;
  status: SubscriberStatus;
  tokenHash: string;
  tokenSalt: string;
  confirmTokenHash: string | null;
  confirmSentAt: Date | null;
  confirmedAt: Date | null;
  consentAt: Date | null;
  consentSource: string | null;
  refusals: number;
  lastRefusal: string | null;
}

/** Whether an event of this kind in this region reaches someone with these choices. */
export function follows(choices: Choices, event: { kind: EventKind; region: Region }): boolean {
  return choices.allEvents || choices.kinds.includes(event.kind) || (choices.regions as readonly string[]).includes(event.region);
}

/** "all events", or "evening meetings, seminars; London, online": what someone follows, for a page or an email. */
export function describeChoices(choices: Choices): string {
  if (choices.allEvents) return 'all HSUG events';
  const kinds = choices.kinds.map((k) => `${KIND_LABELS[k].toLowerCase()}s`);
  const regions = choices.regions.map((r) => (r === 'online' ? 'online events' : `events in ${REGION_LABELS[r]}`));
  return [...kinds, ...regions].join(', ');
}

/** After this many refusals by the mail relay, an address is no longer sent announcements (it shows on the admin page). */
export const REFUSALS_BEFORE_STOPPING = 3;

/** A confirmation link is valid this long; an unconfirmed subscription is removed after it. */
export const CONFIRM_DAYS = 7;
