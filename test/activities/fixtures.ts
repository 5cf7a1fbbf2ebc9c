/**
 * Definitions shared by the activity client tests: one attribute of every data type, and a type
 * whose primary attribute is a number.
 */
import { defineActivityType } from "../../src/schema/index.js";

/** Every one of Marketo's 11 data types, the primary's left to its default (`string`). */
export const webinar = defineActivityType({
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
  attributes: [
    { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    { apiName: "rating", name: "Rating", dataType: "float" },
    { apiName: "ticketPrice", name: "Ticket Price", dataType: "currency" },
    { apiName: "askedQuestion", name: "Asked Question", dataType: "boolean" },
    { apiName: "sessionDay", name: "Session Day", dataType: "date" },
    { apiName: "joinedAt", name: "Joined At", dataType: "datetime" },
    { apiName: "recordingUrl", name: "Recording URL", dataType: "link" },
    { apiName: "hostEmail", name: "Host Email", dataType: "email" },
    { apiName: "hostPhone", name: "Host Phone", dataType: "phone" },
    { apiName: "notes", name: "Notes", dataType: "text" },
    { apiName: "track", name: "Track", dataType: "string" },
  ],
});

/** A primary attribute of dataType integer and no secondary attributes, written `as const`. */
export const scoreChanged = defineActivityType({
  apiName: "scoreChanged",
  name: "Score Changed",
  triggerName: "Changes Score",
  filterName: "Changed Score",
  primaryAttribute: { apiName: "newScore", name: "New Score", dataType: "integer" },
} as const);
