/**
 * bookings/ (which online/ builds on) imports `meetings.ts` and `manage.ts` directly, never this file: this file loads
 * join.ts and the follow-ups, which import bookings/, and the cycle would leave bookings half-loaded.
 *
 * The public surface of online/: online and hybrid meetings (the meeting's details, personal joining links), the
 * reminders and follow-ups around the day, and the materials after it.
 */
export { DEFAULT_OPENS_MINUTES, findMeeting, hasOnline, inEventZone, linkOpensAt, NO_MEETING, saveMeeting, type Meeting } from './meetings';
export { alignSeatModes, assertMeetingReady, seatsTakenByMode } from './event-setup';
export { openJoinLink, type JoinOutcome } from './join';
export { joinRoutes } from './routes';
export { followUpModel, followUpTemplate, FOLLOW_UP_TEMPLATE, type FollowUpPayload } from './follow-up-email';
export { FOLLOW_UP_RULES, listRuns, recipientsQuery, ruleTimes, runFollowUps, type FollowUpRule, type RuleTime } from './follow-ups';
export { onlineJobs } from './jobs';
export { deleteMaterial, insertMaterial, listMaterials, MATERIAL_KINDS, MATERIAL_MAX_BYTES, materialLink, uploadType, VISIBILITIES, VISIBILITY_LABELS, visibleTo, type Material, type MaterialKind, type NewMaterial, type Visibility } from './materials';
export { materialRoutes } from './material-routes';
export { manageOnlineParts } from './manage';
