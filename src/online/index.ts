/**
 * The public surface of online/: online and hybrid meetings (the meeting's details, personal joining links), the
 * reminders and follow-ups around the day, and the materials after it.
 */
export { DEFAULT_OPENS_MINUTES, findMeeting, hasOnline, linkOpensAt, NO_MEETING, saveMeeting, type Meeting } from './meetings';
export { alignSeatModes, assertMeetingReady, seatsTakenByMode } from './event-setup';
export { inEventZone, openJoinLink, type JoinOutcome } from './join';
export { joinRoutes } from './routes';
