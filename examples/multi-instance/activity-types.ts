/**
 * The activity types, defined once and declared in every instance: sandbox first, then
 * production, from the same code. The typed activity client can import these too.
 */
import { defineActivityType } from "cdktf-marketo-activities";

export const webinarAttended = defineActivityType({
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  description: "A lead watched one of our webinars, live or on demand",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
  attributes: [
    { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    { apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },
  ],
});

export const trialStarted = defineActivityType({
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
  primaryAttribute: { apiName: "productName", name: "Product Name" },
  attributes: [
    { apiName: "seats", name: "Seats", dataType: "integer" },
    { apiName: "trialEndsAt", name: "Trial Ends At", dataType: "datetime" },
  ],
});

export const allTypes = [webinarAttended, trialStarted];
