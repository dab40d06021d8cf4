// The feedback folder's public surface: other folders import it from here.
export { feedbackRoutes } from './routes';
export { feedbackStaffRoutes } from './staff-routes';
/** For the thank-you email after the event (issue 12): the attendee's survey link, or null when the survey is off. */
export { attendeeSurveyUrl, surveyUrl } from './links';
