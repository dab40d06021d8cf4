// The certificates folder's public surface: other folders import it from here.
export { certificateRoutes } from './routes';
export { certificateStaffRoutes } from './staff-routes';
export { certificateTemplate } from './email';
export { certificateJobs, issueDueCertificates } from './jobs';
export { certificatePageUrl, verifyUrl } from './links';
export { certificateForSeat } from './service';
export { attendanceThresholdSeconds, listAttendedSeats, hasAttended, whereAttended } from './attendance';
export { afterEventLinks, type AfterEventLink } from './after-event';
