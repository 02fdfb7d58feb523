package quickadd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/quickadd"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// friday is the default present of the tests: Friday 6 March 2026, 10:00 in New York, two
// days before the clocks there go forward (Sunday 8 March, 02:00 EST becomes 03:00 EDT).
const friday = "2026-03-06T10:00:00-05:00"

func TestParse(t *testing.T) {
	// want.due is RFC 3339 in the zone's offset, "" for no due time; want.day is the
	// due_date of an all-day task, "" for none; reminders are "before PT1H" or "at <RFC
	// 3339>"; priority "" means none.
	for _, tt := range []struct {
		name, text, now, zone string
		taskZone              string // the task's zone, where the line names another than zone
		title, due, day, rule string
		completion            bool
		priority              taskwire.Priority
		tags, reminders       []string
	}{
		{name: "Issue", text: "Pay rent every month on the 1st at 9am #home !high remind 1h before",
			title: "Pay rent", due: "2026-04-01T09:00:00-04:00", rule: "FREQ=MONTHLY;BYMONTHDAY=1",
			priority: taskwire.PriorityHigh, tags: []string{"home"}, reminders: []string{"before PT1H"}},
		{name: "Tomorrow", text: "call mom tomorrow 5pm", title: "call mom", due: "2026-03-07T17:00:00-05:00"},
		{name: "NextWeekdayAcrossDST", text: "dentist next friday at 9:30 remind me 1 hour before",
			title: "dentist", due: "2026-03-13T09:30:00-04:00", reminders: []string{"before PT1H"}},
		// A day gone is no due date (until 2026-12-05 "last friday" was the coming Friday,
		// with "last" in the title).
		// A day of the month with its suffix after "by" or "on", without "the" (until
		// 2026-12-05 it stayed in the title).
		// A day of the month in words (until 2026-12-05 these stayed in the title).
		{name: "MonthThenDayInWords", text: "party january first", title: "party", day: "2027-01-01"},
		{name: "DayInWordsOfAMonth", text: "party on the first of may", title: "party", day: "2026-05-01"},
		{name: "TheDayInWords", text: "pay on the fifteenth", title: "pay", day: "2026-03-15"},
		{name: "DayInWordsBeforeATime", text: "pay on the twenty-first at 9am", title: "pay", due: "2026-03-21T09:00:00-04:00"},
		{name: "FirstTryIsTitle", text: "succeed on the first try", title: "succeed on the first try"},
		{name: "MayFirstIsTitle", text: "I may first call bob", title: "I may first call bob"},
		{name: "ByAnOrdinal", text: "submit expenses by 25th", title: "submit expenses", day: "2026-03-25"},
		{name: "OnAnOrdinalAtATime", text: "call on 1st at 9am", title: "call", due: "2026-04-01T09:00:00-04:00"},
		{name: "OnDigitsIsTitle", text: "read 2 chapters on 15 pages", title: "read 2 chapters on 15 pages"},
		// Until 2026-12-05 each of these was the coming weekday, or the first day of the
		// period, with words such as "first", "after next" or "beginning of" left in the
		// title.
		{name: "NthWeekdayNextMonth", text: "call first monday next month", title: "call", day: "2026-04-06"},
		{name: "NextMonthOnTheNthWeekday", text: "call next month on the last friday", title: "call", day: "2026-04-24"},
		{name: "WeekdayAfterNext", text: "call the monday after next", title: "call", day: "2026-03-16"},
		{name: "WeekdayAfterNextAtATime", text: "call monday after next at 3pm", title: "call", due: "2026-03-16T15:00:00-04:00"},
		{name: "WeekendAfterNext", text: "hike the weekend after next", title: "hike", day: "2026-03-21"},
		{name: "BeginningOfNextMonth", text: "call beginning of next month", title: "call", day: "2026-04-01"},
		{name: "AtTheStartOfNextWeek", text: "call at the start of next week", title: "call", day: "2026-03-09"},
		{name: "MidNextWeek", text: "call mid next week", title: "call", day: "2026-03-11"},
		// (until 2026-12-05 "first day of" stayed in the title, before the period's first
		// day, and "first day of january" was no date)
		{name: "FirstDayOfNextMonth", text: "call on the first day of next month", title: "call", day: "2026-04-01"},
		{name: "FirstDayOfNextWeek", text: "call first day of next week", title: "call", day: "2026-03-09"},
		{name: "FirstDayOfAMonth", text: "party first day of january", title: "party", day: "2027-01-01"},
		{name: "FirstDayOfAMonthAndYear", text: "party the first day of may 2028 at 8pm", title: "party",
			due: "2028-05-01T20:00:00-04:00"},
		{name: "FirstDayOfSchoolIsTitle", text: "buy books for the first day of school", title: "buy books for the first day of school"},
		{name: "FirstDayOfTheMonthIsTitle", text: "plan the first day of the month", title: "plan the first day of the month"},
		{name: "EarlyIsTitle", text: "leave early next week", title: "leave early", day: "2026-03-09"},
		{name: "LastWeekdayIsGone", text: "call mom last friday", title: "call mom last friday"},
		{name: "PastWeekdayIsGone", text: "call mom this past friday", title: "call mom this past friday"},
		{name: "WeekdayIsNotToday", text: "dentist friday", title: "dentist", day: "2026-03-13"},
		{name: "ThisWeekdayIsToday", text: "dentist this friday 4pm", title: "dentist", due: "2026-03-06T16:00:00-05:00"},
		{name: "ThisComingWeekday", text: "coffee with Anna this coming friday", title: "coffee with Anna", day: "2026-03-13"},
		{name: "ThisComingWeekend", text: "clean the garage this coming weekend", title: "clean the garage", day: "2026-03-07"},
		// A day's name with its date: the date says which (until 2026-12-05 "exam on tue 15
		// dec" was due the coming Tuesday, with "15 dec" left in the title).
		{name: "WeekdayWithItsDate", text: "exam on tue 15 dec", title: "exam", day: "2026-12-15"},
		{name: "WeekdayCommaDateAtTime", text: "exam tuesday, december 15 at 9am", title: "exam", due: "2026-12-15T09:00:00-05:00"},
		{name: "WeekdayWithAnotherDate", text: "exam mon 15 dec", title: "exam", day: "2026-12-15"},
		{name: "WeekdayThenAFraction", text: "bake monday 1/2 cup flour", title: "bake 1/2 cup flour", day: "2026-03-09"},
		{name: "WeekdayTheNth", text: "cake on monday the 9th", title: "cake", day: "2026-03-09"},
		{name: "WeekdayTheNthMonthsAway", text: "party sunday the 13th", title: "party", day: "2026-09-13"},
		// One weekday's place in a month, once (until 2026-12-05 "first saturday of the
		// month" was the coming Saturday, with "first of the month" left in the title).
		// A business day's place in a month, once or every month (BYSETPOS among Monday to
		// Friday; until 2026-12-05 none was read).
		{name: "LastBusinessDayOfTheMonth", text: "payroll the last business day of the month", title: "payroll", day: "2026-03-31"},
		{name: "LastBusinessDayOfNextMonth", text: "payroll last business day of next month", title: "payroll", day: "2026-04-30"},
		{name: "FirstWorkingDayOfAMonth", text: "payroll first working day of may", title: "payroll", day: "2026-05-01"},
		{name: "EveryLastBusinessDay", text: "run payroll every last business day of the month", title: "run payroll",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR"},
		{name: "EveryFirstWeekdayAtATime", text: "report every first weekday at 9am", title: "report",
			due: "2026-04-01T09:00:00-04:00", rule: "FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO,TU,WE,TH,FR"},
		{name: "EverySecondWorkingDayOfTheMonth", text: "report every 2nd working day of the month", title: "report",
			day: "2026-04-02", rule: "FREQ=MONTHLY;BYSETPOS=2;BYDAY=MO,TU,WE,TH,FR"},
		{name: "EverySecondWeekdayIsTitle", text: "report every second weekday", title: "report every second weekday"},
		{name: "NthWeekdayOfTheMonth", text: "clean fridge first saturday of the month", title: "clean fridge", day: "2026-03-07"},
		{name: "NthWeekdayOfTheMonthToday", text: "clean fridge on the first friday of the month", title: "clean fridge", day: "2026-03-06"},
		{name: "NthWeekdayOfTheMonthPassed", text: "clean fridge first monday of the month", title: "clean fridge", day: "2026-04-06"},
		{name: "LastWeekdayOfTheMonth", text: "payday the last friday of the month", title: "payday", day: "2026-03-27"},
		{name: "LastWeekdayOfNextMonth", text: "payday last friday of next month", title: "payday", day: "2026-04-24"},
		{name: "NthWeekdayInAMonth", text: "meetup second tuesday in march", title: "meetup", day: "2026-03-10"},
		{name: "NthWeekdayOfAMonthToCome", text: "meetup first monday of january at 6pm", title: "meetup", due: "2027-01-04T18:00:00-05:00"},
		// Mid-month is the 15th, as Todoist reads "mid January".
		{name: "MidMonthNamed", text: "plan the garden mid january", title: "plan the garden", day: "2027-01-15"},
		{name: "InMidMonthNamed", text: "taxes in mid-april", title: "taxes", day: "2026-04-15"},
		{name: "MidMonth", text: "review mid month", title: "review", day: "2026-03-15"},
		{name: "MidMonthPassed", text: "review mid-month", now: "2026-03-20T10:00:00-04:00", title: "review", day: "2026-04-15"},
		{name: "MidSizeIsTitle", text: "buy a mid-size car", title: "buy a mid-size car"},
		// A quarter: January to March, and so on.
		{name: "EndOfQuarter", text: "close books end of quarter", title: "close books", day: "2026-03-31"},
		{name: "EndOfNextQuarter", text: "close books by the end of next quarter", title: "close books", day: "2026-06-30"},
		{name: "NextQuarter", text: "plan budget next quarter", title: "plan budget", day: "2026-04-01"},
		// Business days skip Saturdays and Sundays (until 2026-12-05 "in 2 weekdays" made a
		// weekly rule on weekdays, titled "… in 2").
		{name: "InBusinessDays", text: "call back in 3 business days", title: "call back", day: "2026-03-11"},
		{name: "InWeekdays", text: "reply in 2 weekdays", title: "reply", day: "2026-03-10"},
		{name: "NextBusinessDay", text: "reply next business day", title: "reply", day: "2026-03-09"},
		{name: "NextMonthNth", text: "rent next month 15th", title: "rent", day: "2026-04-15"},
		// An hour alone right after a part of the day (until 2026-12-05 it stayed in the
		// title and the part's time was used).
		{name: "MorningHour", text: "run tomorrow morning 7", title: "run", due: "2026-03-07T07:00:00-05:00"},
		{name: "TonightHour", text: "drinks tonight 9", title: "drinks", due: "2026-03-06T21:00:00-05:00"},
		{name: "MorningCountIsTitle", text: "buy tomorrow morning 3 eggs", title: "buy 3 eggs", due: "2026-03-07T09:00:00-05:00"},
		// "A couple" is two.
		{name: "InACoupleOfDays", text: "follow up in a couple of days", title: "follow up", day: "2026-03-08"},
		{name: "InACoupleHours", text: "call back in a couple hours", title: "call back", due: "2026-03-06T12:00:00-05:00"},
		{name: "ACoupleOfThingsIsTitle", text: "buy a couple of apples", title: "buy a couple of apples"},
		{name: "Weekday", text: "standup every weekday at 8:30", title: "standup",
			due: "2026-03-09T08:30:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "TwoWeekdays", text: "gym every monday and wednesday at 7pm", title: "gym",
			due: "2026-03-09T19:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,WE"},
		{name: "WeekdayList", text: "gym every mon, wed & fri", title: "gym",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR", now: "2026-03-06T08:00:00-05:00"},
		{name: "EveryNDays", text: "water plants every 3 days", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=3"},
		// A series starts at its first occurrence, the interval aside: the coming Friday, or
		// today on a Friday.
		{name: "EveryNWeeksOn", text: "review every 2 weeks on friday", now: "2026-03-04T10:00:00-05:00", title: "review",
			day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"},
		{name: "EveryNWeeksOnToday", text: "review every 2 weeks on friday", title: "review",
			day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"},
		{name: "EveryOther", text: "bins every other tuesday 7am", title: "bins",
			due: "2026-03-10T07:00:00-04:00", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
		{name: "MonthDay", text: "taxes on april 15", title: "taxes", day: "2026-04-15"},
		{name: "DayOfMonth", text: "pay bills on the 15th", title: "pay bills", day: "2026-03-15"},
		{name: "DayOfMonthPastIsNextMonth", text: "rent due the 1st", title: "rent", day: "2026-04-01"},
		{name: "DayOfMonthSkipsShortMonths", text: "invoice by the 31st", now: "2026-04-10T10:00:00-04:00",
			title: "invoice", day: "2026-05-31"},
		{name: "DayOfMonthNeedsAPreposition", text: "read the 2nd chapter", title: "read the 2nd chapter"},
		{name: "TheMonthDay", text: "party on the 15th of april", title: "party", day: "2026-04-15"},
		{name: "NextWeek", text: "plan trip next week", title: "plan trip", day: "2026-03-09"},
		{name: "NextMonth", text: "pay card next month", title: "pay card", day: "2026-04-01"},
		{name: "NextYear", text: "renew domain next year", title: "renew domain", day: "2027-01-01"},
		// A line about the morning keeps an hour of 5 or 6 in the morning, and one from 7
		// to 10 too (until 2026-12-06 "wake up at 6.30" was 18:30, "wake up at 7" typed
		// at 10:00 19:00).
		{name: "BreakfastAtAnEarlyHour", text: "breakfast with Sam at 6", title: "breakfast with Sam", due: "2026-03-07T06:00:00-05:00"},
		{name: "WakeUpAtAnEarlyHour", text: "wake up at 6.30", title: "wake up", due: "2026-03-07T06:30:00-05:00"},
		{name: "WakeUpAtAPassedHour", text: "wake up at 7", title: "wake up", due: "2026-03-07T07:00:00-05:00"},
		{name: "AWakeIsNoMorning", text: "funeral wake at 6", title: "funeral wake", due: "2026-03-06T18:00:00-05:00"},
		{name: "MorningWordsKeepAnAfternoonHour", text: "wake up call at 3", title: "wake up call", due: "2026-03-06T15:00:00-05:00"},
		// "in 2 weekends" is a day, not "weekends" as a rule's days (until 2026-12-06 it
		// made a task repeating each Saturday and Sunday, "in 2" left in the title).
		{name: "InWeekends", text: "call mom in 2 weekends", title: "call mom", day: "2026-03-14"},
		{name: "InAWeekend", text: "hike in a weekend", title: "hike", day: "2026-03-07"},
		{name: "InAWeekendOnItsSaturday", text: "hike in a weekend", now: "2026-03-07T10:00:00-05:00", title: "hike", day: "2026-03-14"},
		// A 24-hour time without a colon after "at" (until 2026-12-06 a title).
		{name: "MilitaryTime", text: "meet at 0900", title: "meet", due: "2026-03-07T09:00:00-05:00"},
		{name: "MilitaryTimeAfterAnAt", text: "meet @ 1730", title: "meet", due: "2026-03-06T17:30:00-05:00"},
		{name: "MilitaryTimeOutOfRangeIsTitle", text: "meet at 2400", title: "meet at 2400"},
		{name: "YearAfterByIsNoTime", text: "retire by 2030", title: "retire by 2030"},
		// "next year" is the year of a month or a day it goes with, and "next <month>" the
		// coming one (until 2026-12-06 "next year" was 1 January, or stayed in the title,
		// and "next june" was no date).
		{name: "ADayOfNextYear", text: "pay taxes april 15 next year", title: "pay taxes", day: "2027-04-15"},
		{name: "ADayOfNextYearAtATime", text: "party dec 24 next year at 8pm", title: "party", due: "2027-12-24T20:00:00-05:00"},
		{name: "NextYearThenADay", text: "wedding next year on june 20", title: "wedding", day: "2027-06-20"},
		{name: "NextYearThenAMonth", text: "trip next year in june", title: "trip", day: "2027-06-01"},
		{name: "InAMonthOfNextYear", text: "trip in june next year", title: "trip", day: "2027-06-01"},
		{name: "AMonthOfNextYear", text: "trip june next year", title: "trip", day: "2027-06-01"},
		{name: "AMonthOfAYear", text: "trip june 2027", title: "trip", day: "2027-06-01"},
		{name: "AMonthAloneIsTitle", text: "call june", title: "call june"},
		{name: "TheDayOfAMonthNextYear", text: "exam 3rd of june next year", title: "exam", day: "2027-06-03"},
		{name: "NthWeekdayOfAMonthNextYear", text: "meetup 2nd tuesday of may next year", title: "meetup", day: "2027-05-11"},
		{name: "EndOfAMonthNextYear", text: "report end of june next year", title: "report", day: "2027-06-30"},
		{name: "FirstDayOfAMonthNextYear", text: "call first day of march next year", title: "call", day: "2027-03-01"},
		{name: "NextAMonth", text: "conference next june", title: "conference", day: "2026-06-01"},
		{name: "NextThisMonth", text: "conference next march", title: "conference", day: "2027-03-01"},
		{name: "NextMayBeIsTitle", text: "next may be fine", title: "next may be fine"},
		{name: "NextAMonthDay", text: "trip next june 20", title: "trip", day: "2026-06-20"},
		{name: "NextThisMonthDay", text: "dentist next march 10 at 3pm", title: "dentist", due: "2027-03-10T15:00:00-05:00"},
		{name: "StartingAMonthNextYear", text: "stretch every week starting june next year", title: "stretch",
			day: "2027-06-01", rule: "FREQ=WEEKLY"},
		{name: "StartingADayNextYear", text: "stretch every week starting mar 1 next year", title: "stretch",
			day: "2027-03-01", rule: "FREQ=WEEKLY"},
		{name: "UntilAMonthNextYear", text: "yoga every week until june next year", title: "yoga",
			day: "2026-03-06", rule: "FREQ=WEEKLY;UNTIL=20270531"},
		{name: "ThisWeekend", text: "clean garage this weekend", title: "clean garage", day: "2026-03-07"},
		{name: "ThisWeekendOnItsSunday", text: "clean garage this weekend", now: "2026-03-08T10:00:00-04:00",
			title: "clean garage", day: "2026-03-08"},
		{name: "NextWeekend", text: "hike next weekend", title: "hike", day: "2026-03-14"},
		{name: "NextWeekendOnASunday", text: "hike next weekend", now: "2026-03-08T10:00:00-04:00",
			title: "hike", day: "2026-03-14"},
		{name: "EndOfMonth", text: "book flights end of month", title: "book flights", day: "2026-03-31"},
		{name: "EndOfTheYear", text: "taxes by end of the year", title: "taxes", day: "2026-12-31"},
		{name: "TheEndOfTheMonth", text: "finish draft by the end of the month", title: "finish draft", day: "2026-03-31"},
		{name: "TheLastDayOfTheMonth", text: "pay rent on the last day of the month", title: "pay rent", day: "2026-03-31"},
		{name: "LastDayOfNextMonth", text: "renew lease last day of next month", title: "renew lease", day: "2026-04-30"},
		{name: "LastDayOfTheYear", text: "backup photos on the last day of the year", title: "backup photos", day: "2026-12-31"},
		{name: "LastDayOfAWeekIsNoDate", text: "plan the last day of the week", title: "plan the last day of the week"},
		{name: "LastDayAloneIsNoDate", text: "party for his last day at work", title: "party for his last day at work"},
		// "except" takes days out of a rule of days.
		{name: "WeekdaysExceptOne", text: "pick up kids every weekday at 3:15pm except wednesdays", title: "pick up kids",
			due: "2026-03-06T15:15:00-05:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,TH,FR"},
		{name: "EveryDayExceptOne", text: "walk dog every day except sunday", title: "walk dog",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"},
		{name: "EveryDayExceptTwo", text: "gym every day at 7am except sat and sun", title: "gym",
			due: "2026-03-09T07:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "ExceptWhereNoDayCanGo", text: "water plants every 2 days except sunday", title: "water plants except sunday",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=2"},
		{name: "ExceptWithoutARule", text: "everything except fridays", title: "everything except fridays"},
		// Weekends or weekdays as a whole, "but" right after what was read, "on" or "not
		// on" before the days (until 2026-12-05 "but not on sunday" made Sunday the due date).
		{name: "ExceptWeekends", text: "standup every day except weekends", title: "standup",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "ButADay", text: "water plants every day but sunday", title: "water plants",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"},
		{name: "ButNotOnDays", text: "gym every day at 7pm but not on sundays", title: "gym",
			due: "2026-03-06T19:00:00-05:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"},
		{name: "EveryOtherNight", text: "wash hair every other night", title: "wash hair",
			due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;INTERVAL=2"},
		{name: "ExceptTheWeekend", text: "gym every day except the weekend", title: "gym",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "ButInTheTitle", text: "nothing but the truth every day", title: "nothing but the truth",
			day: "2026-03-06", rule: "FREQ=DAILY"},
		{name: "MorningAndEvening", text: "meds every morning and evening", title: "meds",
			due: "2026-03-06T18:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=9,18;BYMINUTE=0"},
		// Twice, three or four times a day: spread from 08:00 to 20:00, or at the times given
		// (until 2026-12-05 not read; with times, "and 8pm" stayed in the title).
		{name: "TwiceADay", text: "take pills twice a day", title: "take pills",
			due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"},
		{name: "ThreeTimesADay", text: "take pills 3 times a day", title: "take pills",
			due: "2026-03-06T14:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,14,20;BYMINUTE=0"},
		{name: "FourTimesADay", text: "eye drops four times daily", title: "eye drops",
			due: "2026-03-06T12:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,12,16,20;BYMINUTE=0"},
		{name: "ThreeTimesADayFromOneTime", text: "take pills 3 times a day at 7", title: "take pills",
			due: "2026-03-06T13:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=7,13,19;BYMINUTE=0"},
		{name: "FiveTimesADayIsTitle", text: "stretch 5 times a day", title: "stretch 5 times a day"},
		{name: "TwiceADayOnDays", text: "pills twice a day on mondays and thursdays", title: "pills",
			due: "2026-03-09T08:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=8,20;BYMINUTE=0"},
		{name: "DaysTwiceADay", text: "pills every weekday twice a day", title: "pills",
			due: "2026-03-06T20:00:00-05:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8,20;BYMINUTE=0"},
		{name: "TwiceADayAtTimes", text: "take pills twice a day at 8am and 8pm", title: "take pills",
			due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"},
		{name: "TwiceDailyForAWeek", text: "antibiotics 2x per day for 7 days", title: "antibiotics",
			due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;UNTIL=20260312;BYHOUR=8,20;BYMINUTE=0"},
		{name: "MorningAndEveningAtTimes", text: "meds every morning and evening at 7am and 7pm", title: "meds",
			due: "2026-03-06T19:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=7,19;BYMINUTE=0"},
		{name: "TwiceAWeekIsTitle", text: "call twice a week", title: "call twice a week"},
		{name: "TwiceADayAtOneTime", text: "pills twice a day at 9", title: "pills",
			due: "2026-03-06T21:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0"},
		{name: "MorningAndEveningAtOneTime", text: "meds every morning and evening at 7:30", title: "meds",
			due: "2026-03-06T19:30:00-05:00", rule: "FREQ=DAILY;BYHOUR=7,19;BYMINUTE=30"},
		{name: "EveryCoupleOfDays", text: "stretch every couple of days", title: "stretch", day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=2"},
		// A time range with an hourly rule is the hours it repeats at each day, not how
		// long each occurrence takes.
		{name: "HourlyWindow", text: "check the oven every hour from 9 to 5", now: "2026-03-06T10:20:00-05:00", title: "check the oven",
			due: "2026-03-06T11:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0"},
		{name: "EveryNHoursWindow", text: "pills every 2 hours between 9am and 5pm", now: "2026-03-06T10:20:00-05:00", title: "pills",
			due: "2026-03-06T11:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=9,11,13,15,17;BYMINUTE=0"},
		{name: "HourlyWindowPastMidnight", text: "check the server hourly from 10pm to 2am", now: "2026-03-06T10:20:00-05:00", title: "check the server",
			due: "2026-03-06T22:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=0,1,2,22,23;BYMINUTE=0"},
		// "for" before a date or a time with a meridiem says when it is due; after it, "the
		// 2nd", "sun" and "1/2" are no dates.
		{name: "ForADay", text: "prepare presentation for monday", title: "prepare presentation", day: "2026-03-09"},
		{name: "ForNextWeekend", text: "plan trip for next weekend", title: "plan trip", day: "2026-03-14"},
		{name: "ForATime", text: "book table for 7pm tomorrow", title: "book table", due: "2026-03-07T19:00:00-05:00"},
		// A day after "for" before a word of the title names the task as well as its due:
		// until 2026-12-06 "prepare presentation for thursday meeting" was titled "prepare
		// presentation meeting".
		{name: "ForADayBeforeATitleWordIsBoth", text: "prepare presentation for thursday meeting", title: "prepare presentation for thursday meeting", day: "2026-03-12"},
		{name: "ForADateBeforeATitleWordIsBoth", text: "order cake for march 14 party", title: "order cake for march 14 party", day: "2026-03-14"},
		// So does a time after "for" (until 2026-12-06 "get ready for 10am meeting" was
		// titled "get ready meeting").
		{name: "ForATimeBeforeATitleWordIsBoth", text: "get ready for 11am meeting", title: "get ready for 11am meeting", due: "2026-03-06T11:00:00-05:00"},
		{name: "ForATimeAtTheEnd", text: "get ready for 11am", title: "get ready", due: "2026-03-06T11:00:00-05:00"},
		{name: "ForADayBeforeATitleWordWithATime", text: "slides for monday meeting at 9am", title: "slides for monday meeting", due: "2026-03-09T09:00:00-04:00"},
		{name: "ForADayBeforeACommaSaysWhenOnly", text: "slides for monday, meeting room b", title: "slides meeting room b", day: "2026-03-09"},
		{name: "ForADayBeforeWhatIsReadSaysWhenOnly", text: "slides for monday morning #work", title: "slides", due: "2026-03-09T09:00:00-04:00", tags: []string{"work"}},
		{name: "ForAFractionIsTitle", text: "recipe for 1/2 cup", title: "recipe for 1/2 cup"},
		{name: "ForSunIsTitle", text: "buy hat for sun", title: "buy hat for sun"},
		{name: "ForTheNthIsTitle", text: "do it for the 2nd time", title: "do it for the 2nd time"},
		{name: "OnTheWeekend", text: "update resume on the weekend", title: "update resume", day: "2026-03-07"},
		{name: "OverTheWeekend", text: "clean gutters over the weekend", title: "clean gutters", day: "2026-03-07"},
		{name: "AfterTheWeekendIsTitle", text: "recover after the weekend", title: "recover after the weekend"},
		// The end of a week is its Friday, as a working week ends; from a weekend, the next one.
		{name: "EndOfWeek", text: "finish report by eow", title: "finish report", day: "2026-03-06"},
		{name: "TheEndOfTheWeek", text: "finish draft by the end of the week", title: "finish draft", day: "2026-03-06"},
		{name: "EndOfWeekFromAWeekend", text: "report by end of week", now: "2026-03-07T10:00:00-05:00",
			title: "report", day: "2026-03-13"},
		{name: "EndOfNextWeek", text: "send invoice end of next week", title: "send invoice", day: "2026-03-13"},
		// This week is by its Friday, or on its weekend by its Sunday; a month after "in" is
		// its 1st, as "next month" is (until 2026-12-06 all of these stayed in the title).
		{name: "ThisWeekOnItsFriday", text: "finish report this week", title: "finish report", day: "2026-03-06"},
		{name: "ThisWeek", text: "finish report this week", now: "2026-03-03T10:00:00-05:00", title: "finish report", day: "2026-03-06"},
		{name: "ThisWeekOnItsWeekend", text: "finish report this week", now: "2026-03-07T10:00:00-05:00", title: "finish report", day: "2026-03-08"},
		{name: "ThisWeekOnItsSunday", text: "finish report this week", now: "2026-03-08T10:00:00-04:00", title: "finish report", day: "2026-03-08"},
		{name: "LaterThisWeek", text: "call mom later this week", now: "2026-03-02T10:00:00-05:00", title: "call mom", day: "2026-03-06"},
		{name: "ThisWeeksIsTitle", text: "review this week's notes", title: "review this week's notes"},
		{name: "InAMonth", text: "book flights in april", title: "book flights", day: "2026-04-01"},
		{name: "InAMonthGone", text: "ski trip in february", title: "ski trip", day: "2027-02-01"},
		{name: "InAMonthOfAYear", text: "book flights in april 2028", title: "book flights", day: "2028-04-01"},
		{name: "InAMonthAtATime", text: "plan the garden in april at 9am", title: "plan the garden", due: "2026-04-01T09:00:00-04:00"},
		// By a month is by its 1st, before it the day before (until 2026-12-06 "by april"
		// stayed in the title, where "by april 15" and "in april" were read).
		{name: "ByAMonth", text: "finish taxes by april", title: "finish taxes", day: "2026-04-01"},
		{name: "BeforeAMonth", text: "finish taxes before april", title: "finish taxes", day: "2026-03-31"},
		{name: "ByThisMonth", text: "call bob by march", title: "call bob", day: "2026-03-31"},
		{name: "ByMayBeIsTitle", text: "report by may be late", title: "report by may be late"},
		// This month is by its last day and this year by 31 December, as this week is by its
		// Friday; until 2026-12-06 neither was read, and "in march" typed in March stayed in
		// the title.
		{name: "ThisMonth", text: "pay the invoice this month", title: "pay the invoice", day: "2026-03-31"},
		{name: "LaterThisMonth", text: "call mom later this month", title: "call mom", day: "2026-03-31"},
		{name: "ThisMonthOnItsLastDay", text: "pay the invoice this month", now: "2026-03-31T10:00:00-04:00", title: "pay the invoice", day: "2026-03-31"},
		{name: "ThisMonthAtATime", text: "close the books this month at 5pm", title: "close the books", due: "2026-03-31T17:00:00-04:00"},
		{name: "ThisMonthsIsTitle", text: "review this month's budget", title: "review this month's budget"},
		{name: "ThisMonthAfterADayIsNoDeadline", text: "drinks the last friday this month", title: "drinks the last friday this month"},
		{name: "ThisMonthAfterADateIsNoDeadline", text: "pay on the 15th this month", title: "pay this month", day: "2026-03-15"},
		// A day of the month alone is one where it ends, or a time, a part of the day or
		// its month follows: until 2026-12-06 "on 3rd street tomorrow" was due on the 3rd,
		// titled "… street tomorrow".
		{name: "OrdinalOfAStreetIsNoDate", text: "drop off package on 3rd street tomorrow", title: "drop off package on 3rd street", day: "2026-03-07"},
		{name: "OrdinalOfAnAvenueIsNoDate", text: "meet at Starbucks on 5th avenue", title: "meet at Starbucks on 5th avenue"},
		{name: "OrdinalOfAWeekIsNoDate", text: "decide by the 3rd week of january", title: "decide by the 3rd week of january"},
		{name: "DayOfNextMonth", text: "report on the fifth of next month", title: "report", day: "2026-04-05"},
		{name: "DayNextMonth", text: "pay on the 15th next month", title: "pay", day: "2026-04-15"},
		{name: "DayInTheMorning", text: "call mom on the 15th in the morning", title: "call mom", due: "2026-03-15T09:00:00-04:00"},
		{name: "ThisYear", text: "renew the passport this year", title: "renew the passport", day: "2026-12-31"},
		{name: "LaterThisYear", text: "paint the fence later this year", title: "paint the fence", day: "2026-12-31"},
		{name: "ThisYearsIsTitle", text: "file this year's taxes", title: "file this year's taxes"},
		{name: "EndOfThisYear", text: "finish the novel by the end of this year", title: "finish the novel", day: "2026-12-31"},
		{name: "EndOfThisMonth", text: "budget by end of this month", title: "budget", day: "2026-03-31"},
		{name: "ThisYearAfterAMonthIsNoDeadline", text: "book flights in april this year", title: "book flights in april this year"},
		{name: "InThisMonth", text: "buy presents in march", title: "buy presents", day: "2026-03-31"},
		{name: "InThisMonthOfThisYear", text: "buy presents in march 2026", title: "buy presents", day: "2026-03-31"},
		{name: "InThisMonthOfAnotherYear", text: "buy presents in march 2027", title: "buy presents", day: "2027-03-01"},
		{name: "InMayIsTitle", text: "anything in may be fine", title: "anything in may be fine"},
		// "in" before a date in words goes with it (until 2026-12-06 it stayed in the title).
		{name: "InAMonthDay", text: "book flights in april 15", title: "book flights", day: "2026-04-15"},
		{name: "EndOfNextMonth", text: "budget end of next month", title: "budget", day: "2026-04-30"},
		{name: "EndOfNextYear", text: "plan end of next year", title: "plan", day: "2027-12-31"},
		{name: "EOM", text: "close books eom", title: "close books", day: "2026-03-31"},
		{name: "EveryLastWeekdayOfTheMonth", text: "review every last friday of the month", title: "review",
			day: "2026-03-27", rule: "FREQ=MONTHLY;BYDAY=-1FR"},
		{name: "EveryFirstWeekday", text: "retro every first monday at 10am", title: "retro",
			due: "2026-04-06T10:00:00-04:00", rule: "FREQ=MONTHLY;BYDAY=+1MO"},
		{name: "EverySecondWeekdayOfEachMonth", text: "book club every 2nd tuesday of each month evening", title: "book club",
			due: "2026-03-10T18:00:00-04:00", rule: "FREQ=MONTHLY;BYDAY=+2TU"},
		{name: "NthWeekdayOfEveryMonthWithoutThe", text: "rent first monday of every month", title: "rent",
			day: "2026-04-06", rule: "FREQ=MONTHLY;BYDAY=+1MO"},
		// Several places of one weekday: the first of them not past, each month.
		{name: "EverySecondAndFourthWeekday", text: "file expenses every 2nd and 4th friday", title: "file expenses",
			day: "2026-03-13", rule: "FREQ=MONTHLY;BYDAY=+2FR,+4FR"},
		{name: "EveryNthWeekdaysInAnyOrder", text: "file expenses every 4th & 2nd fridays", title: "file expenses",
			day: "2026-03-13", rule: "FREQ=MONTHLY;BYDAY=+2FR,+4FR"},
		{name: "EveryFirstAndThirdWeekdayAt", text: "book club every first and third monday at 7pm", title: "book club",
			due: "2026-03-16T19:00:00-04:00", rule: "FREQ=MONTHLY;BYDAY=+1MO,+3MO"},
		{name: "EveryNthWeekdaysWithCommasAndLast", text: "board meeting every first, third and last sunday", title: "board meeting",
			day: "2026-03-15", rule: "FREQ=MONTHLY;BYDAY=+1SU,+3SU,-1SU"},
		{name: "NthWeekdaysOfEveryMonth", text: "team sync on the second and fourth tuesday of every month", title: "team sync",
			day: "2026-03-10", rule: "FREQ=MONTHLY;BYDAY=+2TU,+4TU"},
		{name: "NthsWithoutAWeekdayAreTitle", text: "read the first and second chapter", title: "read the first and second chapter"},
		// A span of weekdays names each day in it.
		{name: "DaySpanIsARule", text: "standup mon-fri 9am", title: "standup",
			due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "EveryDaySpan", text: "gym every mon-thu at 6am", title: "gym",
			due: "2026-03-09T06:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH"},
		{name: "DaySpanOverTheWeekend", text: "night shift fri–mon", title: "night shift",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,FR,SA,SU"},
		{name: "HyphenatedWordsAreNoSpan", text: "call sun-jin about the x-ray", title: "call sun-jin about the x-ray"},
		// An adverb before a rule that says its period is the title's.
		{name: "AdverbBeforeEveryIsTitle", text: "weekly report every friday eod", title: "weekly report",
			due: "2026-03-06T23:59:00-05:00", rule: "FREQ=WEEKLY;BYDAY=FR"},
		{name: "AdverbBeforeEveryWeekdayIsTitle", text: "daily standup every weekday at 9", title: "daily standup",
			due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "AdverbBeforeEveryNMonthsIsTitle", text: "quarterly review every 3 months on the 1st", title: "quarterly review",
			day: "2026-04-01", rule: "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1"},
		{name: "AdverbBeforeDayOfEveryMonthIsTitle", text: "monthly review on the 1st of every month", title: "monthly review",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		// An adverb before a title word names the task as well as its rule: both (until
		// 2026-12-06 "weekly review" was titled "review").
		{name: "AdverbBeforeATitleWordIsBoth", text: "weekly groceries", title: "weekly groceries", day: "2026-03-06", rule: "FREQ=WEEKLY"},
		{name: "AdverbFirstWithATime", text: "Daily standup 9am", title: "Daily standup",
			due: "2026-03-07T09:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "AdverbFirstWithADay", text: "Weekly review friday 4pm", title: "Weekly review",
			due: "2026-03-13T16:00:00-04:00", rule: "FREQ=WEEKLY"},
		{name: "AdverbInsideTheTitle", text: "review biweekly 1:1 notes", title: "review biweekly 1:1 notes", day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=2"},
		{name: "AdverbLastSaysWhenOnly", text: "pay rent monthly", title: "pay rent", day: "2026-03-06", rule: "FREQ=MONTHLY"},
		{name: "AdverbBeforeACommaSaysWhenOnly", text: "call mom weekly, sunday", title: "call mom", day: "2026-03-08", rule: "FREQ=WEEKLY"},
		{name: "AdverbBeforeWhatIsReadSaysWhenOnly", text: "call mom weekly on sunday at 6pm", title: "call mom",
			due: "2026-03-08T18:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=SU"},
		// Days in the plural after a weekly word are its days, as after "on" (until
		// 2026-12-06 they stayed in the title, and the series ran from today).
		{name: "BiweeklyPluralDays", text: "status report biweekly fridays at 10", title: "status report",
			due: "2026-03-13T10:00:00-04:00", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"},
		{name: "EveryOtherWeekPluralDays", text: "team sync every other week tuesdays and thursdays", title: "team sync",
			day: "2026-03-10", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"},
		{name: "AdverbBeforeATagSaysWhenOnly", text: "backups weekly #ops", title: "backups", day: "2026-03-06", rule: "FREQ=WEEKLY", tags: []string{"ops"}},
		// Several days of the month: the first of them not past, each month.
		{name: "DaysOfEveryMonth", text: "pay rent the 1st and 15th of every month", title: "pay rent",
			day: "2026-03-15", rule: "FREQ=MONTHLY;BYMONTHDAY=1,15"},
		{name: "EverySeveralDaysOfTheMonth", text: "pay rent every 1st and 15th", title: "pay rent",
			day: "2026-03-15", rule: "FREQ=MONTHLY;BYMONTHDAY=1,15"},
		{name: "MonthlyOnADayAndTheLastDay", text: "payroll every month on the 15th and the last day", title: "payroll",
			day: "2026-03-15", rule: "FREQ=MONTHLY;BYMONTHDAY=15,-1"},
		{name: "DaysOfEachMonthWithCommas", text: "invoice on the 5th, 20th of each month", title: "invoice",
			day: "2026-03-20", rule: "FREQ=MONTHLY;BYMONTHDAY=5,20"},
		{name: "EveryDaysOfTheMonthInAnyOrder", text: "backup every 31st and 30th", title: "backup",
			day: "2026-03-30", rule: "FREQ=MONTHLY;BYMONTHDAY=30,31"},
		{name: "EveryNthOfTheMonth", text: "pay bills every 1st", title: "pay bills",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		{name: "EveryNthOfTheMonthAt", text: "backup every 15th of the month at 8pm", title: "backup",
			due: "2026-03-15T20:00:00-04:00", rule: "FREQ=MONTHLY;BYMONTHDAY=15"},
		{name: "EveryLastDay", text: "pay card every last day", title: "pay card",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYMONTHDAY=-1"},
		// A period's end or start, each time: a week ends on Friday, as "end of week" does.
		{name: "EveryEndOfTheMonth", text: "pay card every end of the month", title: "pay card",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{name: "EveryMonthEnd", text: "close the books every month end", title: "close the books",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{name: "EveryEOW", text: "timesheet every eow at 4pm", title: "timesheet",
			due: "2026-03-06T16:00:00-05:00", rule: "FREQ=WEEKLY;BYDAY=FR"},
		{name: "EveryStartOfTheWeek", text: "plan the week every start of the week", title: "plan the week",
			day: "2026-03-09", rule: "FREQ=WEEKLY;BYDAY=MO"},
		{name: "EveryEndOfYear", text: "budget every end of year", title: "budget",
			day: "2026-12-31", rule: "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"},
		{name: "EveryBeginningOfMonth", text: "rent every beginning of the month", title: "rent",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		{name: "EveryFirstOfTheMonth", text: "rent every first of the month", title: "rent",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		{name: "EveryEndOfTheLineIsTitle", text: "walk to every end of the line", title: "walk to every end of the line"},
		{name: "EveryFirstDayOfTheMonth", text: "invoice every first day of the month", title: "invoice",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		{name: "EverySecondDay", text: "water plants every second day", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=2"},
		{name: "EveryThirdWeekOn", text: "review every 3rd week on friday", now: "2026-03-07T10:00:00-05:00", title: "review",
			day: "2026-03-13", rule: "FREQ=WEEKLY;INTERVAL=3;BYDAY=FR"},
		// "Second" before a day name is its place in the month, not an interval.
		{name: "EverySecondWeekdayIsMonthly", text: "book club every second tuesday", title: "book club",
			day: "2026-03-10", rule: "FREQ=MONTHLY;BYDAY=+2TU"},
		// Several days in one word, and several days of the month without "every": no one
		// task falls on them (until 2026-12-05 "mon/wed/fri" stayed in the title, and "on
		// the 1st and 15th" was the 1st with "and 15th" in the title).
		// A part of the day in the plural after days names it on each (until 2026-12-05
		// "wednesday nights" was one Wednesday with "nights" in the title).
		{name: "WeekdayNights", text: "take out trash wednesday nights", title: "take out trash",
			due: "2026-03-11T20:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=WE"},
		{name: "WeekdayMornings", text: "run weekday mornings", title: "run",
			due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		// (until 2026-12-05 "the first of every month" left "on the first of" in the title,
		// a monthly task due today; "starting may" stayed in the title)
		{name: "TheFirstOfEveryMonth", text: "pay rent on the first of every month", title: "pay rent",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		{name: "StartingAMonth", text: "checkup every 6 months starting may", title: "checkup",
			day: "2026-05-01", rule: "FREQ=MONTHLY;INTERVAL=6"},
		{name: "FromAMonthIsTitle", text: "letter from may", title: "letter from may"},
		// (until 2026-12-05 "starting on" and "beginning on" left their first word in the title)
		{name: "StartingOnADate", text: "stretch every day starting on april 3", title: "stretch",
			day: "2026-04-03", rule: "FREQ=DAILY"},
		{name: "BeginningOnADate", text: "swim every monday beginning on march 16", title: "swim",
			day: "2026-03-16", rule: "FREQ=WEEKLY;BYDAY=MO"},
		{name: "DayListInOneWord", text: "gym mon/wed/fri 7am", title: "gym",
			due: "2026-03-09T07:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR"},
		{name: "DayListWithCommas", text: "gym tue,thu", title: "gym", day: "2026-03-10", rule: "FREQ=WEEKLY;BYDAY=TU,TH"},
		{name: "MonthDaysWithoutEvery", text: "pay bills on the 1st and 15th", title: "pay bills",
			day: "2026-03-15", rule: "FREQ=MONTHLY;BYMONTHDAY=1,15"},
		{name: "MonthDaysWithoutEveryAtATime", text: "pay bills on the 1st and 15th at 9am", title: "pay bills",
			due: "2026-03-15T09:00:00-04:00", rule: "FREQ=MONTHLY;BYMONTHDAY=1,15"},
		{name: "NthWeekdaysWithoutEvery", text: "meetup on the 2nd and 4th tuesday", title: "meetup",
			day: "2026-03-10", rule: "FREQ=MONTHLY;BYDAY=+2TU,+4TU"},
		{name: "OrdinalsInTheTitle", text: "read the 1st and 2nd chapter", title: "read the 1st and 2nd chapter"},
		{name: "BeginningADay", text: "water plants every 3 days beginning monday", title: "water plants",
			day: "2026-03-09", rule: "FREQ=DAILY;INTERVAL=3"},
		{name: "DayList", text: "gym mon wed fri 7am", title: "gym",
			due: "2026-03-09T07:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,WE,FR"},
		{name: "DayListWithAnd", text: "piano lessons on tuesday and thursday at 4pm", title: "piano lessons",
			due: "2026-03-10T16:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=TU,TH"},
		{name: "OneDayIsADate", text: "call bank monday", title: "call bank", day: "2026-03-09"},
		// Hourly rules start at the next whole hour of the user's zone, or keep the schedule
		// a time of day sets (08:00, 16:00, 00:00) from its next time.
		{name: "EveryNHours", text: "take pills every 8 hours", title: "take pills",
			due: "2026-03-06T11:00:00-05:00", rule: "FREQ=HOURLY;INTERVAL=8"},
		{name: "Hourly", text: "drink water hourly", title: "drink water", due: "2026-03-06T11:00:00-05:00", rule: "FREQ=HOURLY"},
		{name: "EveryHourInAHalfHourZone", text: "stretch every hour", zone: "Asia/Kolkata", title: "stretch",
			due: "2026-03-06T21:00:00+05:30", rule: "FREQ=HOURLY"},
		{name: "EveryNHoursAt", text: "take pills every 8 hours at 8am", title: "take pills",
			due: "2026-03-06T16:00:00-05:00", rule: "FREQ=HOURLY;INTERVAL=8"},
		{name: "MinutesAreNoRule", text: "check oven every 30 minutes", title: "check oven every 30 minutes"},
		{name: "StartingAt", text: "pills every 8 hours starting at 8am", title: "pills",
			due: "2026-03-06T16:00:00-05:00", rule: "FREQ=HOURLY;INTERVAL=8"},
		{name: "FromATime", text: "run every day from 7am", title: "run", due: "2026-03-07T07:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "AtAround", text: "call at around 5pm", title: "call", due: "2026-03-06T17:00:00-05:00"},
		{name: "FromABareHourIsNoTime", text: "read pages from 10 to 20", title: "read pages from 10 to 20"},
		{name: "AWeekFromToday", text: "call a week from today", title: "call", day: "2026-03-13"},
		{name: "DaysFromNow", text: "call two days from now", title: "call", day: "2026-03-08"},
		{name: "HoursFromNow", text: "call 2 hours from now", title: "call", due: "2026-03-06T12:00:00-05:00"},
		{name: "AWeekFromTomorrow", text: "call a week from tomorrow", title: "call", day: "2026-03-14"},
		{name: "FromNowOnIsNoDate", text: "two people from now on", title: "two people from now on"},
		// Days or longer from another day (until 2026-12-05 "a week from friday" was due on
		// Friday, with "a week" left in the title).
		{name: "AWeekFromADay", text: "call a week from friday", title: "call", day: "2026-03-20"},
		{name: "WeeksFromADayAtATime", text: "meet 2 weeks from monday at 3pm", title: "meet", due: "2026-03-23T15:00:00-04:00"},
		{name: "DaysFromADate", text: "pay 10 days from april 1", title: "pay", day: "2026-04-11"},
		{name: "WeeksFromNextWeekday", text: "review 2 weeks from next monday", title: "review", day: "2026-03-23"},
		// Before or after another day (until 2026-12-05 "30 days before april 30" was due on
		// 29 April, with "30 days" left in the title, and "after" was not read). The day it
		// makes, even passed: the deadline was missed, and the task is overdue.
		{name: "DaysBeforeADate", text: "renew cert 30 days before april 30", title: "renew cert", day: "2026-03-31"},
		{name: "AWeekBeforeADay", text: "call a week before friday", title: "call", day: "2026-03-06"},
		{name: "DaysBeforeAWeekday", text: "call 2 days before monday", title: "call", day: "2026-03-07"},
		{name: "BeforeADayPassed", text: "call 2 weeks before monday", title: "call", day: "2026-02-23"},
		{name: "DaysAfterTheDayOfTheMonth", text: "pay 3 days after the 15th", title: "pay", day: "2026-03-18"},
		{name: "BeforeNoDayIsTitle", text: "pack 2 days before the trip", title: "pack 2 days before the trip"},
		// Halves (until 2026-12-05 "in an hour and a half" was due in an hour, with "and a
		// half" left in the title, and "in 1.5 hours" was not read).
		{name: "InAnHourAndAHalf", text: "call in an hour and a half", title: "call", due: "2026-03-06T11:30:00-05:00"},
		{name: "InDecimalHours", text: "call in 1.5 hours", title: "call", due: "2026-03-06T11:30:00-05:00"},
		{name: "InDecimalHoursInOneWord", text: "call in 1.5h", title: "call", due: "2026-03-06T11:30:00-05:00"},
		{name: "InQuarterHours", text: "call in 1.25 hours", title: "call", due: "2026-03-06T11:15:00-05:00"},
		{name: "InTwoAndAHalfHours", text: "call in two and a half hours", title: "call", due: "2026-03-06T12:30:00-05:00"},
		{name: "InHalfADay", text: "call in half a day", title: "call", due: "2026-03-06T22:00:00-05:00"},
		{name: "HalfAWeekIsNoTime", text: "call in half a week", title: "call in half a week"},
		{name: "HalfACountIsTitle", text: "read 2 and a half pages", title: "read 2 and a half pages"},
		// (until 2026-12-05 "1.5" was read as 1 May, and the line was refused)
		{name: "RemindDecimalHoursBefore", text: "remind me 1.5 hours before dentist friday 9am", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT90M"}},
		{name: "RemindHoursAndMinutesBefore", text: "dentist friday 9am remind me 1 hour 30 minutes before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT90M"}},
		{name: "InHoursAndMinutes", text: "call in 2 hours 15 minutes", title: "call", due: "2026-03-06T12:15:00-05:00"},
		{name: "RemindAnHourAndAHalfBefore", text: "dentist friday 9am remind me an hour and a half before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT90M"}},
		{name: "NextMonthOnThe", text: "dentist next month on the 15th", title: "dentist", day: "2026-04-15"},
		{name: "NextMonthOnItsMissingDay", text: "pay next month on the 31st", title: "pay", day: "2026-04-30"},
		{name: "TheDayAfterTomorrow", text: "call the day after tomorrow", title: "call", day: "2026-03-08"},
		{name: "InAFortnight", text: "taxes in a fortnight", title: "taxes", day: "2026-03-20"},
		// Shorthands (until 2026-12-05 they stayed in the title).
		{name: "ShorthandTomorrow", text: "call mom 2moro", title: "call mom", day: "2026-03-07"},
		{name: "ShorthandNextWeek", text: "call mom nxt wk", title: "call mom", day: "2026-03-09"},
		{name: "Tonite", text: "read tonite", title: "read", due: "2026-03-06T20:00:00-05:00"},
		// Until 2026-12-05: "remind me at 7" for a dinner at 20:00 was at 07:00; "tonight"
		// and "sunday evening" were at 09:00, "evening" left in the title; "in the
		// morning", "the night before", "in advance", "on time" and "when due" were not
		// read.
		{name: "RemindAtAnEveningHour", text: "dinner friday at 8 remind me at 7", title: "dinner",
			due: "2026-03-13T20:00:00-04:00", reminders: []string{"at 2026-03-13T19:00:00-04:00"}},
		{name: "RemindAtAMorningHour", text: "standup tomorrow 9:30 remind me at 9", title: "standup",
			due: "2026-03-07T09:30:00-05:00", reminders: []string{"at 2026-03-07T09:00:00-05:00"}},
		{name: "RemindAtALateHour", text: "flight tomorrow 11pm remind me at 10", title: "flight",
			due: "2026-03-07T23:00:00-05:00", reminders: []string{"at 2026-03-07T22:00:00-05:00"}},
		{name: "RemindTonight", text: "dentist tomorrow 3pm remind me tonight", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"at 2026-03-06T20:00:00-05:00"}},
		{name: "RemindTonightAtAnHour", text: "dentist tomorrow 3pm remind me tonight at 9", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"at 2026-03-06T21:00:00-05:00"}},
		{name: "RemindOnADayInTheEveningAtAnHour", text: "dentist friday 3pm remind me thursday evening at 8", title: "dentist",
			due: "2026-03-13T15:00:00-04:00", reminders: []string{"at 2026-03-12T20:00:00-04:00"}},
		{name: "RemindOnADayInTheEvening", text: "call bob monday remind me sunday evening", title: "call bob",
			day: "2026-03-09", reminders: []string{"at 2026-03-08T18:00:00-04:00"}},
		{name: "RemindInTheMorning", text: "dentist tomorrow 3pm remind me in the morning", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"at 2026-03-07T09:00:00-05:00"}},
		{name: "RemindTheNightBefore", text: "call bob monday 10am remind me the night before", title: "call bob",
			due: "2026-03-09T10:00:00-04:00", reminders: []string{"at 2026-03-08T20:00:00-04:00"}},
		{name: "RemindTheMorningOf", text: "call bob monday 3pm remind me the morning of", title: "call bob",
			due: "2026-03-09T15:00:00-04:00", reminders: []string{"at 2026-03-09T09:00:00-04:00"}},
		{name: "RemindThatEvening", text: "flight monday 11pm remind me that evening", title: "flight",
			due: "2026-03-09T23:00:00-04:00", reminders: []string{"at 2026-03-09T18:00:00-04:00"}},
		{name: "RemindTheSameDayAt", text: "call bob monday 3pm remind me the same day at 9am", title: "call bob",
			due: "2026-03-09T15:00:00-04:00", reminders: []string{"at 2026-03-09T09:00:00-04:00"}},
		{name: "RemindAtTwoTimes", text: "call bob monday 3pm remind me at 2 and 2:45", title: "call bob",
			due: "2026-03-09T15:00:00-04:00", reminders: []string{"at 2026-03-09T14:00:00-04:00", "at 2026-03-09T14:45:00-04:00"}},
		{name: "Alarm", text: "call bob monday 3pm alarm 10 min before", title: "call bob",
			due: "2026-03-09T15:00:00-04:00", reminders: []string{"before PT10M"}},
		{name: "AlarmClockIsTitle", text: "buy alarm clock monday", title: "buy alarm clock", day: "2026-03-09"},
		{name: "RemindInAdvance", text: "dentist tomorrow 3pm remind me 1 hour in advance", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"before PT1H"}},
		{name: "RemindOnTime", text: "dentist tomorrow 3pm remind me on time", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"before PT0S"}},
		{name: "RemindWhenDue", text: "dentist tomorrow 3pm alert me when due", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"before PT0S"}},
		{name: "RemindTheDayBefore", text: "dentist friday 9am remind me the day before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before P1D"}},
		{name: "AlertMe", text: "dentist friday 9am alert me 15m before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT15M"}},
		{name: "NotifyMe", text: "dentist friday 9am notify me 1h before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT1H"}},
		{name: "NotifySomeoneIsTitle", text: "notify bob about the meeting", title: "notify bob about the meeting"},
		{name: "RemindDurationsAndBefore", text: "dentist friday 9am remind me 1 day, 2 hours and 10 minutes before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before P1D", "before PT2H", "before PT10M"}},
		// Hours and minutes with "and" between them are one length, as without it, unless
		// a list runs through them (until 2026-12-06 two reminders, an hour and half an
		// hour before).
		{name: "RemindHoursAndMinutesWithAndBefore", text: "dentist friday 9am remind me 1 hour and 30 minutes before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT90M"}},
		{name: "InHoursAndMinutesWithAnd", text: "call back in 1 hour and 30 minutes", title: "call back", due: "2026-03-06T11:30:00-05:00"},
		{name: "RemindDurationsWithoutAndAreTitle", text: "dentist friday 9am remind me 1 day 2 hours before",
			title: "dentist remind me 1 day 2 hours before", due: "2026-03-13T09:00:00-04:00"},
		{name: "RemindOnADay", text: "dentist friday 9am remind me thursday at 6pm", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"at 2026-03-12T18:00:00-04:00"}},
		// (until 2026-12-05 each of these was left in the title: a day after "on", numbers
		// before the unit they share, "with a reminder", "ping me")
		{name: "RemindOnADayAfterOn", text: "dentist friday 9am remind me on thursday at 6pm", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"at 2026-03-12T18:00:00-04:00"}},
		{name: "RemindOnTheDayOfTheMonth", text: "pay bills on the 20th remind me on the 18th", title: "pay bills",
			day: "2026-03-20", reminders: []string{"at 2026-03-18T09:00:00-04:00"}},
		{name: "RemindNumbersSharingAUnit", text: "dentist friday 9am remind me 30 and 10 minutes before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT30M", "before PT10M"}},
		{name: "RemindListSharingAUnit", text: "flight friday 9am remind me 1, 2 and 24 hours before", title: "flight",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT1H", "before PT2H", "before PT24H"}},
		{name: "WithAReminder", text: "dentist friday 9am with a reminder 15 minutes before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT15M"}},
		// Several after "with" (until 2026-12-06 "with reminders …" stayed in the title); a
		// plural alone is the task's ("check the alarms").
		{name: "WithReminders", text: "dentist friday 9am with reminders 1 day and 1 hour before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before P1D", "before PT1H"}},
		{name: "WithAlertsAtTimes", text: "dentist friday 9am with alerts at 7am and 8am", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"at 2026-03-13T07:00:00-04:00", "at 2026-03-13T08:00:00-04:00"}},
		{name: "PluralAloneIsTitle", text: "check the alarms friday at 9am", title: "check the alarms", due: "2026-03-13T09:00:00-04:00"},
		{name: "PingMe", text: "dentist friday 9am ping me 15 minutes before", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT15M"}},
		{name: "WithAlarmIsTitle", text: "meet with alarm company rep", title: "meet with alarm company rep"},
		{name: "PingSomeoneIsTitle", text: "ping bob about the invoice", title: "ping bob about the invoice"},
		{name: "NumbersWithoutAUnitAreTitle", text: "dentist friday 9am remind me 5 and 10",
			title: "dentist remind me 5 and 10", due: "2026-03-13T09:00:00-04:00"},
		{name: "RemindInHours", text: "dentist friday 9am remind me in 2 hours", title: "dentist",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"at 2026-03-06T12:00:00-05:00"}},
		// On a repeating task, the day named is a distance before each occurrence.
		{name: "RemindOnADayRepeating", text: "standup every monday 9am remind me sunday at 8pm", title: "standup",
			due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO", reminders: []string{"before PT13H"}},
		{name: "EOD", text: "send report eod", title: "send report", due: "2026-03-06T23:59:00-05:00"},
		{name: "ByFridayEOD", text: "submit form by friday eod", title: "submit form", due: "2026-03-13T23:59:00-04:00"},
		{name: "ByTheEndOfTheDay", text: "submit form by the end of the day", title: "submit form", due: "2026-03-06T23:59:00-05:00"},
		{name: "EveryNumberIsNoRule", text: "read every 15 pages", title: "read every 15 pages"},
		{name: "EveryWeekdayPartOfDay", text: "take out trash every thursday night", title: "take out trash",
			due: "2026-03-12T20:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=TH"},
		{name: "EverySundayMorning", text: "call grandma every sunday morning", title: "call grandma",
			due: "2026-03-08T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=SU"},
		{name: "MonthDayPastIsNextYear", text: "party 14th of feb", title: "party", day: "2027-02-14"},
		{name: "MonthDayYear", text: "trip Jan 3rd, 2027 at noon", title: "trip", due: "2027-01-03T12:00:00-05:00"},
		{name: "ISODateTime", text: "report by 2026-12-03 14:00", title: "report", due: "2026-12-03T14:00:00-05:00"},
		{name: "ISODateTimeOneWord", text: "report 2026-12-03T14:00", title: "report", due: "2026-12-03T14:00:00-05:00"},
		{name: "InHours", text: "stretch in 2 hours", title: "stretch", due: "2026-03-06T12:00:00-05:00"},
		{name: "InDays", text: "follow up in 3 days", title: "follow up", day: "2026-03-09"},
		{name: "InMonthToShorterMonth", text: "renew in 1 month", now: "2026-01-31T10:00:00-05:00",
			title: "renew", day: "2026-02-28"},
		{name: "InMonths", text: "renew in 3 months", now: "2026-01-31T10:00:00-05:00",
			title: "renew", day: "2026-04-30"},
		{name: "InYearFromLeapDay", text: "renew in 1 year", now: "2028-02-29T10:00:00-05:00",
			title: "renew", day: "2029-02-28"},
		// "today" is today, all day, early or late: not overdue until the day is over.
		{name: "TodayEarly", text: "call bank today", now: "2026-03-06T00:00:00-05:00",
			title: "call bank", day: "2026-03-06"},
		{name: "TodayAfterNine", text: "call bank today", title: "call bank", day: "2026-03-06"},
		{name: "Tonight", text: "movie tonight", title: "movie", due: "2026-03-06T20:00:00-05:00"},
		{name: "TonightAtBareHour", text: "movie tonight at 9", title: "movie", due: "2026-03-06T21:00:00-05:00"},
		{name: "TonightAtTwelve", text: "movie tonight at 12", title: "movie", due: "2026-03-06T23:59:00-05:00"},
		{name: "ThisAfternoonAtTwelve", text: "lunch this afternoon at 12", title: "lunch", due: "2026-03-06T12:00:00-05:00"},
		{name: "ThisEvening", text: "pack this evening", title: "pack", due: "2026-03-06T18:00:00-05:00"},
		{name: "InTheMorningBeforeIt", text: "call the dentist in the morning", now: "2026-03-06T07:00:00-05:00",
			title: "call the dentist", due: "2026-03-06T09:00:00-05:00"},
		{name: "InTheMorningTypedAtNight", text: "call the dentist in the morning", now: "2026-03-06T22:30:00-05:00",
			title: "call the dentist", due: "2026-03-07T09:00:00-05:00"},
		{name: "InTheEveningAt", text: "in the evening at 7 walk the dog", now: "2026-03-06T10:00:00-05:00",
			title: "walk the dog", due: "2026-03-06T19:00:00-05:00"},
		{name: "InTheOtherWordsStay", text: "put the plates in the dishwasher", title: "put the plates in the dishwasher"},
		{name: "InTheMorningWithinATitle", text: "read the news in the morning paper", title: "read the news in the morning paper"},
		{name: "InTheMorningThenATag", text: "call the dentist in the morning #health", now: "2026-03-06T07:00:00-05:00",
			title: "call the dentist", due: "2026-03-06T09:00:00-05:00", tags: []string{"health"}},
		{name: "TomorrowMorning", text: "run tomorrow morning", title: "run", due: "2026-03-07T09:00:00-05:00"},
		{name: "TimeLaterToday", text: "lunch at 12:30", title: "lunch", due: "2026-03-06T12:30:00-05:00"},
		{name: "TimePastIsTomorrow", text: "wake up 7am", title: "wake up", due: "2026-03-07T07:00:00-05:00"},
		{name: "Daily", text: "vitamins daily", title: "vitamins", day: "2026-03-06", rule: "FREQ=DAILY"},
		{name: "Weekly", text: "review weekly", title: "review", day: "2026-03-06", rule: "FREQ=WEEKLY"},
		{name: "Monthly", text: "invoice monthly", title: "invoice", day: "2026-03-06", rule: "FREQ=MONTHLY"},
		{name: "Biweekly", text: "pay invoices biweekly", title: "pay invoices", day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=2"},
		{name: "Fortnightly", text: "clean gutters fortnightly", title: "clean gutters", day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=2"},
		{name: "Quarterly", text: "file taxes quarterly", title: "file taxes", day: "2026-03-06", rule: "FREQ=MONTHLY;INTERVAL=3"},
		{name: "TwiceADay", text: "take pills every day at 8am and 8pm", now: "2026-03-06T10:00:00-05:00",
			title: "take pills", due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"},
		{name: "TwiceADayWithAmpersand", text: "take pills every day at 8am & 8pm", now: "2026-03-06T10:00:00-05:00",
			title: "take pills", due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"},
		{name: "TwiceADayBeforeBoth", text: "take pills daily at 8:30am and 8:30pm", now: "2026-03-06T07:00:00-05:00",
			title: "take pills", due: "2026-03-06T08:30:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=30"},
		{name: "ThreeTimesOnWeekdays", text: "stretch every weekday at 9am, 1pm and 5pm", now: "2026-03-06T18:00:00-05:00",
			title: "stretch", due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,13,17;BYMINUTE=0"},
		{name: "TimesBeforeTheRule", text: "take pills at 8am and 8pm daily", now: "2026-03-06T10:00:00-05:00",
			title: "take pills", due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"},
		{name: "TimesWithoutARuleStay", text: "meeting at 8am and 8pm", now: "2026-03-06T07:00:00-05:00",
			title: "meeting and 8pm", due: "2026-03-06T08:00:00-05:00"},
		{name: "TimesWithAPartOfTheDayStay", text: "every evening at 6 and 9pm walk", now: "2026-03-06T07:00:00-05:00",
			title: "and 9pm walk", due: "2026-03-06T18:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "OtherMinuteIsNoSecondTime", text: "take pills every day at 8am and 8:30pm", now: "2026-03-06T07:00:00-05:00",
			title: "take pills and 8:30pm", due: "2026-03-06T08:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "AndAReminderIsNoTime", text: "standup every day at 9am and remind me 10 minutes before", now: "2026-03-06T07:00:00-05:00",
			title: "standup", due: "2026-03-06T09:00:00-05:00", rule: "FREQ=DAILY", reminders: []string{"before PT10M"}},
		{name: "AndWithinTheTitleStays", text: "call tom and jerry tomorrow at 9am", now: "2026-03-06T07:00:00-05:00",
			title: "call tom and jerry", due: "2026-03-07T09:00:00-05:00"},
		{name: "Semiannually", text: "dentist semiannually", title: "dentist", day: "2026-03-06", rule: "FREQ=MONTHLY;INTERVAL=6"},
		{name: "EveryQuarter", text: "every quarter file vat", title: "file vat", day: "2026-03-06", rule: "FREQ=MONTHLY;INTERVAL=3"},
		{name: "EveryOtherQuarter", text: "board review every other quarter", title: "board review", day: "2026-03-06", rule: "FREQ=MONTHLY;INTERVAL=6"},
		{name: "EveryFortnight", text: "put the bins out every fortnight on tuesday", title: "put the bins out", day: "2026-03-10", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
		{name: "EveryFortnightAt", text: "every fortnight at 9am payroll", title: "payroll", due: "2026-03-07T09:00:00-05:00", rule: "FREQ=WEEKLY;INTERVAL=2"},
		{name: "QuarterIsAWordElsewhere", text: "write the quarter report", title: "write the quarter report"},
		{name: "EveryQuarterHourIsNoRule", text: "stretch every quarter hour", title: "stretch every quarter hour"},
		{name: "PluralWeekday", text: "gym mondays at 7pm", title: "gym", due: "2026-03-09T19:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO"},
		{name: "OnPluralWeekdays", text: "yoga on tuesdays and thursdays", title: "yoga", day: "2026-03-10", rule: "FREQ=WEEKLY;BYDAY=TU,TH"},
		{name: "TimeWithDot", text: "call mom tomorrow 3.30pm", title: "call mom", due: "2026-03-07T15:30:00-05:00"},
		{name: "TimeWithDotSpaced", text: "call mom tomorrow at 3.30 pm", title: "call mom", due: "2026-03-07T15:30:00-05:00"},
		{name: "DecimalIsNoTime", text: "upgrade to 3.30 tomorrow", title: "upgrade to 3.30", day: "2026-03-07"},
		// Times in words (until 2026-12-05 "o'clock", "sharp", "in the evening" after a date,
		// "half past 9", "lunchtime" and "8ish" stayed in the title, and "tomorrow at 8 in
		// the evening" was due at 08:00).
		{name: "OClock", text: "call mom at 10 o'clock tomorrow", title: "call mom", due: "2026-03-07T10:00:00-05:00"},
		{name: "OClockAlone", text: "call mom 5 o'clock", title: "call mom", due: "2026-03-06T17:00:00-05:00"},
		{name: "Sharp", text: "standup at 9:00 sharp tomorrow", title: "standup", due: "2026-03-07T09:00:00-05:00"},
		{name: "HalfPast", text: "call at half past 9 tomorrow", title: "call", due: "2026-03-07T09:30:00-05:00"},
		{name: "QuarterPast", text: "call at quarter past 10 tomorrow", title: "call", due: "2026-03-07T10:15:00-05:00"},
		{name: "QuarterTo", text: "call at quarter to 5", title: "call", due: "2026-03-06T16:45:00-05:00"},
		{name: "InTheEveningAfterADate", text: "call tomorrow at 8 in the evening", title: "call", due: "2026-03-07T20:00:00-05:00"},
		{name: "Lunchtime", text: "call tomorrow lunchtime", title: "call", due: "2026-03-07T12:00:00-05:00"},
		{name: "ByLunch", text: "submit report by lunch tomorrow", title: "submit report", due: "2026-03-07T12:00:00-05:00"},
		{name: "LunchIsTitle", text: "lunch with sam tomorrow", title: "lunch with sam", day: "2026-03-07"},
		{name: "AroundIsh", text: "call around 8ish tomorrow", title: "call", due: "2026-03-07T08:00:00-05:00"},
		{name: "IshCountIsTitle", text: "invite 10ish people", title: "invite 10ish people"},
		{name: "HourInWords", text: "call at seven", title: "call", due: "2026-03-06T19:00:00-05:00"},
		{name: "HourInWordsWithMeridiem", text: "call five pm tomorrow", title: "call", due: "2026-03-07T17:00:00-05:00"},
		{name: "HalfPastAnHourInWords", text: "call at half past six", title: "call", due: "2026-03-06T18:30:00-05:00"},
		{name: "CountInWordsIsTitle", text: "call seven people tomorrow", title: "call seven people", day: "2026-03-07"},
		{name: "TimeWithDotAfterAt", text: "lunch with sam tomorrow at 12.30", title: "lunch with sam", due: "2026-03-07T12:30:00-05:00"},
		// A time with a point right after a day (until 2026-12-05 "tomorrow 10.30" left
		// "10.30" in the title and made an all-day task).
		{name: "TimeWithDotAfterADay", text: "call mom tomorrow 10.30", title: "call mom", due: "2026-03-07T10:30:00-05:00"},
		{name: "TimeWithDotAfterADayAndMore", text: "meeting friday 9.15 with bob", title: "meeting with bob", due: "2026-03-13T09:15:00-04:00"},
		{name: "TimeWithDotAfterARule", text: "standup every weekday 9.15", title: "standup", due: "2026-03-09T09:15:00-04:00",
			rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "DecimalAfterADayIsNoTime", text: "release friday 1.2", title: "release 1.2", day: "2026-03-13"},
		{name: "DecimalAfterADayWithMoreIsNoTime", text: "meeting friday 9.15 room 4", title: "meeting 9.15 room 4", day: "2026-03-13"},
		{name: "TimeWithDotAfterAtIsAfternoon", text: "pick up kids today at 3.15", title: "pick up kids", due: "2026-03-06T15:15:00-05:00"},
		{name: "PriceAfterAtIsNoTime", text: "sell shares at 7.99", title: "sell shares at 7.99"},
		{name: "Yearly", text: "passport yearly", title: "passport", day: "2026-03-06", rule: "FREQ=YEARLY"},
		{name: "EveryYearInAMonth", text: "car tax every year in october", title: "car tax",
			day: "2026-10-01", rule: "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=1"},
		{name: "YearlyInThisMonth", text: "clean gutters yearly in march", title: "clean gutters",
			day: "2027-03-01", rule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1"},
		{name: "YearlyInAMonthAt", text: "review insurance every year in june at 9am", title: "review insurance",
			due: "2026-06-01T09:00:00-04:00", rule: "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1"},
		{name: "LeapDay", text: "leap party every year on feb 29", title: "leap party",
			day: "2028-02-29", rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"},
		{name: "ThirtyFirst", text: "backup every month on the 31st", title: "backup",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYMONTHDAY=31"},
		{name: "LastDay", text: "close books monthly on the last day", title: "close books",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{name: "FromCompletion", text: "mow the lawn every week from completion", title: "mow the lawn",
			day: "2026-03-06", rule: "FREQ=WEEKLY", completion: true},
		{name: "AfterCompletion", text: "haircut every 4 weeks after completion", title: "haircut",
			day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=4", completion: true},
		// Todoist's "every!" counts from completion; "!" elsewhere is punctuation.
		{name: "EveryBang", text: "every! 3 days water plants", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=3", completion: true},
		{name: "EveryBangAndFromCompletion", text: "x every! 3 days from completion", title: "x",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=3", completion: true},
		{name: "ExclamationAfterARule", text: "water plants every 3 days!", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=3"},
		// More ways to say a rule.
		{name: "Everyday", text: "take vitamins everyday at 9", title: "take vitamins",
			due: "2026-03-07T09:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "EverydayAnAdjective", text: "buy everyday shoes", title: "buy everyday shoes"},
		{name: "EveryWorkday", text: "report every workday", title: "report",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "Workdays", text: "standup workdays at 9:30", title: "standup",
			due: "2026-03-09T09:30:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "BiWeeklyHyphenated", text: "payroll bi-weekly", title: "payroll",
			day: "2026-03-06", rule: "FREQ=WEEKLY;INTERVAL=2"},
		// Half an hour.
		{name: "InHalfAnHour", text: "call back in half an hour", title: "call back", due: "2026-03-06T10:30:00-05:00"},
		{name: "RemindHalfAnHourBefore", text: "call mom tomorrow 5pm remind me half an hour before", title: "call mom",
			due: "2026-03-07T17:00:00-05:00", reminders: []string{"before PT30M"}},
		{name: "AfterDone", text: "descale every month after done", title: "descale",
			day: "2026-03-06", rule: "FREQ=MONTHLY", completion: true},
		{name: "CompletionWithoutRuleIsTitle", text: "party after done", title: "party after done"},
		{name: "EveryMorning", text: "meditate every morning", title: "meditate",
			due: "2026-03-07T09:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "RuleFromDate", text: "gym every monday starting april 1", title: "gym",
			day: "2026-04-06", rule: "FREQ=WEEKLY;BYDAY=MO"},
		// A day of the year written day first, and several months on that day (until
		// 2026-12-05 "every 15 january" was one date with "every" in the title, "every 15th
		// of january" monthly, and "every jan 15, apr 15, …" due a year late with the rest
		// in the title).
		{name: "EveryDayMonth", text: "renew every 15 january", title: "renew", day: "2027-01-15", rule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15"},
		{name: "EveryNthOfAMonth", text: "renew every 15th of january", title: "renew", day: "2027-01-15", rule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15"},
		{name: "EverySeveralMonths", text: "estimated taxes every jan 15, apr 15, jun 15 and sep 15", title: "estimated taxes",
			day: "2026-04-15", rule: "FREQ=YEARLY;BYMONTH=1,4,6,9;BYMONTHDAY=15"},
		{name: "EverySeveralMonthsDayFirst", text: "review every 1 jan and 1 jul", title: "review",
			day: "2026-07-01", rule: "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1"},
		{name: "EveryNthOfSeveralMonths", text: "taxes every 15th of jan, apr, jun and sep", title: "taxes",
			day: "2026-04-15", rule: "FREQ=YEARLY;BYMONTH=1,4,6,9;BYMONTHDAY=15"},
		{name: "YearlyOnSeveralMonths", text: "review yearly on jan 15 and jul 15", title: "review",
			day: "2026-07-15", rule: "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=15"},
		{name: "EveryMonthDay", text: "taxes every april 15", title: "taxes",
			day: "2026-04-15", rule: "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=15"},
		{name: "EveryWeekend", text: "hike every weekend", title: "hike",
			day: "2026-03-07", rule: "FREQ=WEEKLY;BYDAY=SA,SU"},
		{name: "Midnight", text: "submit by midnight", title: "submit", due: "2026-03-06T23:59:00-05:00"},
		// A bare hour from 1 to 6 is afternoon, the rest 24-hour; a leading zero or a
		// morning keeps it as typed.
		{name: "BareEarlyHourIsAfternoon", text: "call at 5", title: "call", due: "2026-03-06T17:00:00-05:00"},
		// A meal of the evening makes an hour from 7 to 10 evening (until 2026-12-05
		// "dinner with Anna friday at 8" was due at 08:00).
		{name: "EveningMealHour", text: "dinner with Anna friday at 8", title: "dinner with Anna", due: "2026-03-13T20:00:00-04:00"},
		{name: "EveningMealMinutes", text: "supper at 7:30", title: "supper", due: "2026-03-06T19:30:00-05:00"},
		{name: "EveningMealSaysAm", text: "dinner friday at 8am", title: "dinner", due: "2026-03-13T08:00:00-04:00"},
		{name: "EveningMealLeadingZero", text: "dinner friday 07:30", title: "dinner", due: "2026-03-13T07:30:00-04:00"},
		{name: "EveningMealInTheMorning", text: "dinner prep tomorrow morning at 8", title: "dinner prep", due: "2026-03-07T08:00:00-05:00"},
		{name: "EveningMealLate", text: "dinner at 11", title: "dinner", due: "2026-03-06T11:00:00-05:00"},
		// So does a night out (until 2026-12-06 "concert friday at 8" was due at 08:00).
		{name: "ConcertHour", text: "concert friday at 8", title: "concert", due: "2026-03-13T20:00:00-04:00"},
		{name: "DrinksMinutes", text: "drinks with Sam tomorrow at 7:30", title: "drinks with Sam", due: "2026-03-07T19:30:00-05:00"},
		{name: "NightInTheTitle", text: "game night saturday at 7", title: "game night", due: "2026-03-07T19:00:00-05:00"},
		{name: "NightOutSaysAm", text: "buy opera tickets monday at 9am", title: "buy opera tickets", due: "2026-03-09T09:00:00-04:00"},
		// Words between double quotes are the title's as typed (until 2026-12-06 "watch
		// \"Friday Night Lights\" tomorrow" was due Friday at 20:00, titled "watch Lights\"
		// tomorrow").
		{name: "QuotedWordsStay", text: `watch "Friday Night Lights" tomorrow`, title: `watch "Friday Night Lights"`, day: "2026-03-07"},
		{name: "QuotedDayIsTitle", text: `buy tickets for "Monday Night Football"`, title: `buy tickets for "Monday Night Football"`},
		{name: "CurlyQuotes", text: "book “Dinner at 8” monday at 6", title: "book “Dinner at 8”", due: "2026-03-09T18:00:00-04:00"},
		{name: "QuotedTagAndPriority", text: `print "#1 fan !high" sign #crafts`, title: `print "#1 fan !high" sign`, tags: []string{"crafts"}},
		{name: "QuotedAfterAnAdverb", text: `daily "standup"`, title: `daily "standup"`, day: "2026-03-06", rule: "FREQ=DAILY"},
		{name: "UnpairedQuoteQuotesNothing", text: `hang 12" frame tomorrow`, title: `hang 12" frame`, day: "2026-03-07"},
		{name: "MorningMealStays", text: "breakfast with Bob at 8", title: "breakfast with Bob", due: "2026-03-07T08:00:00-05:00"},
		{name: "EarlyHourAndMinutesIsAfternoon", text: "pick up kids at 3:30", title: "pick up kids", due: "2026-03-06T15:30:00-05:00"},
		{name: "BareSevenIsMorning", text: "gym at 7", now: "2026-03-06T06:30:00-05:00", title: "gym", due: "2026-03-06T07:00:00-05:00"},
		// Past 07:00 and before 19:00, the next 7 o'clock is this evening's; past 19:00,
		// tomorrow morning's; with a day, or a meal of the morning, the hour stays as typed.
		{name: "BarePassedHourIsTonight", text: "call bob at 7", now: "2026-03-06T11:40:00-05:00", title: "call bob", due: "2026-03-06T19:00:00-05:00"},
		{name: "BarePassedHourWithMinutes", text: "pay rent by 9:30", title: "pay rent", due: "2026-03-06T21:30:00-05:00"},
		{name: "BareHourAfterTheEvening", text: "gym at 7", now: "2026-03-06T19:30:00-05:00", title: "gym", due: "2026-03-07T07:00:00-05:00"},
		{name: "BarePassedHourWithADay", text: "gym tomorrow at 7", title: "gym", due: "2026-03-07T07:00:00-05:00"},
		{name: "BarePassedHourOfBrunch", text: "brunch with Sam at 10", now: "2026-03-06T10:30:00-05:00", title: "brunch with Sam", due: "2026-03-07T10:00:00-05:00"},
		{name: "LeadingZeroIs24Hour", text: "call at 05:00", title: "call", due: "2026-03-07T05:00:00-05:00"},
		{name: "MorningKeepsAnEarlyHour", text: "call tomorrow morning at 5", title: "call", due: "2026-03-07T05:00:00-05:00"},
		{name: "EarlyHourInTheMorning", text: "call at 5 in the morning", title: "call", due: "2026-03-07T05:00:00-05:00"},
		{name: "EarlyHourWithAm", text: "flight tomorrow at 6:45 am", title: "flight", due: "2026-03-07T06:45:00-05:00"},
		{name: "EveryDayAtAnEarlyHour", text: "run every day at 6", title: "run", due: "2026-03-06T18:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "RemindAtAnEarlyHour", text: "call bob tomorrow remind me at 4", title: "call bob", day: "2026-03-07",
			reminders: []string{"at 2026-03-07T16:00:00-05:00"}},
		{name: "RemindAtAnEarlyHourBeforeAnEarlyDue", text: "wake up tomorrow at 7am remind me at 6:30", title: "wake up",
			due: "2026-03-07T07:00:00-05:00", reminders: []string{"at 2026-03-07T06:30:00-05:00"}},
		{name: "RemindAtAnAfternoonHourBeforeItsDue", text: "call tomorrow 5pm remind me at 4", title: "call",
			due: "2026-03-07T17:00:00-05:00", reminders: []string{"at 2026-03-07T16:00:00-05:00"}},
		{name: "BareNumberStays", text: "buy 2 apples", title: "buy 2 apples"},
		{name: "RemindAnHourEarly", text: "call tomorrow 5pm remind me an hour early", title: "call",
			due: "2026-03-07T17:00:00-05:00", reminders: []string{"before PT1H"}},
		{name: "PriorityLow", text: "a !low", title: "a", priority: taskwire.PriorityLow},
		{name: "PriorityMedium", text: "a !medium", title: "a", priority: taskwire.PriorityMedium},
		{name: "PriorityUrgent", text: "a !urgent", title: "a", priority: taskwire.PriorityUrgent},
		{name: "PriorityBang1", text: "a !1", title: "a", priority: taskwire.PriorityUrgent},
		{name: "PriorityBang2", text: "a !2", title: "a", priority: taskwire.PriorityHigh},
		{name: "PriorityBang3", text: "a !3", title: "a", priority: taskwire.PriorityMedium},
		{name: "PriorityBang4", text: "a !4", title: "a", priority: taskwire.PriorityLow},
		{name: "PriorityP1", text: "P1 a", title: "a", priority: taskwire.PriorityUrgent},
		{name: "PriorityP2", text: "a p2", title: "a", priority: taskwire.PriorityHigh},
		{name: "PriorityP3", text: "a p3", title: "a", priority: taskwire.PriorityMedium},
		{name: "PriorityP4", text: "a p4", title: "a", priority: taskwire.PriorityLow},
		{name: "PriorityBangs2", text: "a !!", title: "a", priority: taskwire.PriorityMedium},
		{name: "PriorityBangs3", text: "!!! a", title: "a", priority: taskwire.PriorityHigh},
		{name: "OneBangIsPunctuation", text: "Appelle Marie !", title: "Appelle Marie !"},
		{name: "BangsInAWordAreTitle", text: "pay taxes!!!", title: "pay taxes!!!"},
		{name: "DateBeforeAColon", text: "tomorrow: call bank", title: "call bank", day: "2026-03-07"},
		{name: "ColonInTitleStays", text: "email re: Q3 report", title: "email re: Q3 report"},
		{name: "SecondPriorityIsTitle", text: "a !high !low", title: "a !low", priority: taskwire.PriorityHigh},
		{name: "Tags", text: "#Home fix #work sink #home #42", title: "fix sink #42", tags: []string{"home", "work"}},
		// A tag typed with a combining accent is the tag the API stores (until 2026-12-06
		// it stayed in the title).
		{name: "TagWithCombiningAccent", text: "buy bread #cafe\u0301 #caf\u00e9", title: "buy bread", tags: []string{"caf\u00e9"}},
		// Todoist's labels: "@errands" is a tag too; before a number it is not ("@ 5pm" is
		// "at 5pm", below).
		{name: "TagsAt", text: "buy milk @errands @Home page @2", title: "buy milk page @2", tags: []string{"errands", "home"}},
		// Punctuation around what is read (until 2026-12-05 "@3pm" was a tag "3pm", "(tomorrow)"
		// stayed in the title, and so did a dash before or after it).
		{name: "AtSignTime", text: "meeting w/ sam @3pm tmrw", title: "meeting w/ sam", due: "2026-03-07T15:00:00-05:00"},
		// A 24-hour time as France and much of Europe write it (until 2026-12-05 it stayed in
		// the title, and "@15h" was a tag "15h").
		{name: "HourMark", text: "meeting 15h30", title: "meeting", due: "2026-03-06T15:30:00-05:00"},
		{name: "HourMarkAt", text: "call at 9h tomorrow", title: "call", due: "2026-03-07T09:00:00-05:00"},
		{name: "HourMarkAtSign", text: "meeting @15h", title: "meeting", due: "2026-03-06T15:00:00-05:00"},
		{name: "HourMarkAsTyped", text: "flight at 6h45 tomorrow", title: "flight", due: "2026-03-07T06:45:00-05:00"},
		// A reminder of a task due at no time is at the next such hour too.
		{name: "RemindAtPassedHour", text: "remind me at 9 to call bob", title: "call bob", reminders: []string{"at 2026-03-06T21:00:00-05:00"}},
		{name: "RemindAtHourAhead", text: "remind me at 9 to call bob", now: "2026-03-06T06:00:00-05:00", title: "call bob", reminders: []string{"at 2026-03-06T09:00:00-05:00"}},
		{name: "RemindTomorrowAtHour", text: "remind me tomorrow at 9 to call bob", title: "call bob", reminders: []string{"at 2026-03-07T09:00:00-05:00"}},
		{name: "HourMarkReminder", text: "remind me at 18h to call", title: "call", reminders: []string{"at 2026-03-06T18:00:00-05:00"}},
		{name: "HourMarkRange", text: "work 9h-17h monday", title: "work", due: "2026-03-09T09:00:00-04:00"},
		{name: "HourMarkRangeInWords", text: "workshop 14h to 15h30 tomorrow", title: "workshop", due: "2026-03-07T14:00:00-05:00"},
		// Alone, hours without minutes, or before 7 with them, are how long it takes.
		{name: "HourMarkRangeIsALength", text: "study 1h-2h", title: "study 1h-2h"},
		{name: "HourMarkIsALength", text: "run 1h30 tomorrow", title: "run 1h30", day: "2026-03-07"},
		{name: "HoursAreALength", text: "sleep 8h", title: "sleep 8h"},
		{name: "ForHourMark", text: "workshop tomorrow 10am for 1h30", title: "workshop", due: "2026-03-07T10:00:00-05:00"},
		{name: "InBrackets", text: "buy milk (tomorrow)", title: "buy milk", day: "2026-03-07"},
		{name: "BracketsInTheTitle", text: "(work) call mom tomorrow", title: "(work) call mom", day: "2026-03-07"},
		{name: "DashBefore", text: "call mom - tomorrow", title: "call mom", day: "2026-03-07"},
		{name: "DashAfter", text: "tomorrow - call mom", title: "call mom", day: "2026-03-07"},
		{name: "BulletDash", text: "- call mom", title: "call mom"},
		{name: "DashInTheTitle", text: "call mom - discuss - tomorrow", title: "call mom - discuss", day: "2026-03-07"},
		{name: "RemindMinutes", text: "call tomorrow 5pm remind 30m before", title: "call",
			due: "2026-03-07T17:00:00-05:00", reminders: []string{"before PT30M"}},
		{name: "RemindDay", text: "call tomorrow 5pm remind 1 day before and 2 hours before", title: "call",
			due: "2026-03-07T17:00:00-05:00", reminders: []string{"before P1D", "before PT2H"}},
		{name: "RemindAtOneOff", text: "call tomorrow 5pm remind me at 8am", title: "call",
			due: "2026-03-07T17:00:00-05:00", reminders: []string{"at 2026-03-07T08:00:00-05:00"}},
		{name: "RemindAtDayBefore", text: "flight tomorrow 6am remind me at 8pm", title: "flight",
			due: "2026-03-07T06:00:00-05:00", reminders: []string{"at 2026-03-06T20:00:00-05:00"}},
		{name: "RemindAtRecurring", text: "standup every weekday at 8:30 remind me at 8am", title: "standup",
			due: "2026-03-09T08:30:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", reminders: []string{"before PT30M"}},
		{name: "RemindAtWithoutDue", text: "buy milk remind me at 8am", title: "buy milk",
			reminders: []string{"at 2026-03-07T08:00:00-05:00"}},
		{name: "UnknownWordsStay", text: "  every   blah at  the office ", title: "every blah at the office"},
		{name: "Punctuation", text: "call mom, tomorrow, 5pm.", title: "call mom", due: "2026-03-07T17:00:00-05:00"},
		// Daylight saving time in New York: the wall clock holds across the change.
		{name: "DSTTomorrowAfterSpringForward", text: "call mom tomorrow 9am", now: "2026-03-07T12:00:00-05:00",
			title: "call mom", due: "2026-03-08T09:00:00-04:00"},
		{name: "DSTInHoursIsElapsedTime", text: "check oven in 3 hours", now: "2026-03-08T00:30:00-05:00",
			title: "check oven", due: "2026-03-08T04:30:00-04:00"},
		{name: "DSTGapMovesForward", text: "backup every day at 2:30am", now: "2026-03-07T12:00:00-05:00",
			title: "backup", due: "2026-03-08T03:30:00-04:00", rule: "FREQ=DAILY"},
		{name: "DSTGapOneOff", text: "call tomorrow 2:30am", now: "2026-03-07T12:00:00-05:00",
			title: "call", due: "2026-03-08T03:30:00-04:00"},
		{name: "DSTRepeatedTimeIsFirst", text: "call on 2026-11-01 1:30am", title: "call", due: "2026-11-01T01:30:00-04:00"},
		{name: "DSTFallBack", text: "report on 2026-11-01 at 9am", title: "report", due: "2026-11-01T09:00:00-05:00"},
		// On the fall-back day 01:30 comes twice: typed after the first, the second is next.
		{name: "RepeatedHourAhead", text: "pills at 1:30am", now: "2026-11-01T01:10:00-05:00",
			title: "pills", due: "2026-11-01T01:30:00-05:00"},
		{name: "RepeatedHourFirst", text: "pills at 1:30am", now: "2026-11-01T01:10:00-04:00",
			title: "pills", due: "2026-11-01T01:30:00-04:00"},
		{name: "RepeatedHourPast", text: "pills at 1:30am", now: "2026-11-01T01:40:00-05:00",
			title: "pills", due: "2026-11-02T01:30:00-05:00"},
		{name: "RepeatedHourSeries", text: "pills every day at 1:30am", now: "2026-11-01T01:10:00-05:00",
			title: "pills", due: "2026-11-01T01:30:00-05:00", rule: "FREQ=DAILY"},
		// "today" in the day's last minute is still today.
		{name: "TodayLastMinute", text: "call back today", now: "2026-03-06T23:59:20-05:00",
			title: "call back", day: "2026-03-06"},
		// "remind me to" opening the line is a reminder at the due time.
		{name: "RemindMeTo", text: "remind me to call Bob tomorrow at 10", title: "call Bob", due: "2026-03-07T10:00:00-05:00",
			reminders: []string{"before PT0S"}},
		{name: "RemindMeToWithAnother", text: "Remind me to pay rent friday 9am remind 1h before", title: "pay rent",
			due: "2026-03-13T09:00:00-04:00", reminders: []string{"before PT1H", "before PT0S"}},
		{name: "RemindMeToWithoutADate", text: "remind me to buy milk", title: "buy milk"},
		// With the task's date, time or rule before the "to" (until 2026-12-05 "remind me"
		// and "to" stayed in the title, and no reminder was set).
		{name: "RemindMeRuleTo", text: "remind me every morning to take my pills", title: "take my pills",
			due: "2026-03-07T09:00:00-05:00", rule: "FREQ=DAILY", reminders: []string{"before PT0S"}},
		{name: "RemindMeAboutIsTitle", text: "remind me about the meeting tomorrow", title: "remind me about the meeting", day: "2026-03-07"},
		// A time on the day before, or some days or a week before (until 2026-12-05 the "at
		// 6pm" stayed in the title and the reminder was a whole day before the due time).
		{name: "RemindTheDayBeforeAt", text: "dentist tomorrow 3pm remind me the day before at 6pm", title: "dentist",
			due: "2026-03-07T15:00:00-05:00", reminders: []string{"at 2026-03-06T18:00:00-05:00"}},
		{name: "RemindTheWeekBeforeAt", text: "trip on march 20 remind me the week before at 9am", title: "trip",
			day: "2026-03-20", reminders: []string{"at 2026-03-13T09:00:00-04:00"}},
		{name: "RemindTheDayBeforeAtRepeating", text: "dentist every friday at 3pm remind me the day before at 6pm", title: "dentist",
			due: "2026-03-06T15:00:00-05:00", rule: "FREQ=WEEKLY;BYDAY=FR", reminders: []string{"before PT21H"}},
		{name: "RemindDaysBeforeAtRepeatingAllDay", text: "rent every month on the 1st remind me 2 days before at 8pm", title: "rent",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1", reminders: []string{"before P1DT13H"}},
		{name: "RemindMeAtTo", text: "remind me at 9pm to call Bob", title: "call Bob",
			reminders: []string{"at 2026-03-06T21:00:00-05:00"}},
		{name: "RemindMeToInsideIsTitle", text: "tell Ann to remind me to call", title: "tell Ann to remind me to call"},
		// Dates in digits: month first in the United States, day first elsewhere and with
		// dots; without a year only after "on" and the like, or with a German date's dot.
		{name: "SlashMonthFirstInUS", text: "party on 12/24 at 7pm", title: "party", due: "2026-12-24T19:00:00-05:00"},
		{name: "SlashAmbiguousInUS", text: "dentist on 4/5", title: "dentist", day: "2026-04-05"},
		{name: "SlashDayFirstElsewhere", text: "dentist on 4/5", zone: "Europe/London", now: "2026-03-06T10:00:00Z",
			title: "dentist", day: "2026-05-04"},
		{name: "SlashOver12IsDay", text: "party on 24/12", title: "party", day: "2026-12-24"},
		{name: "SlashOver12IsDayElsewhere", text: "party on 12/24", zone: "Europe/Berlin", now: "2026-03-06T10:00:00+01:00",
			title: "party", day: "2026-12-24"},
		{name: "SlashWithYear", text: "renew lease 1/15/2027", title: "renew lease", day: "2027-01-15"},
		{name: "SlashWithShortYear", text: "renew lease 1/15/27", title: "renew lease", day: "2027-01-15"},
		{name: "SlashPastIsNextYear", text: "party on 3/1", title: "party", day: "2027-03-01"},
		{name: "SlashAloneIsNoDate", text: "add 1/2 cup sugar", title: "add 1/2 cup sugar"},
		// Next to a time of day, a slash date needs no "on": until 2026-12-05 "party 12/31
		// 8pm" was due today at 20:00, titled "party 12/31".
		{name: "SlashBeforeATime", text: "party 12/31 8pm", title: "party", due: "2026-12-31T20:00:00-05:00"},
		{name: "SlashBeforeAtATime", text: "party 12/31 at 5", title: "party", due: "2026-12-31T17:00:00-05:00"},
		{name: "SlashAfterATime", text: "flight 7:30am 12/24", title: "flight", due: "2026-12-24T07:30:00-05:00"},
		{name: "SlashAwayFromATimeIsNoDate", text: "add 1/2 cup at 5pm", title: "add 1/2 cup", due: "2026-03-06T17:00:00-05:00"},
		{name: "SlashNoSuchDay", text: "party on 2/30", title: "party on 2/30"},
		{name: "DotsDayFirst", text: "Weihnachten 24.12. 18 Uhr", zone: "Europe/Berlin", now: "2026-03-06T10:00:00+01:00",
			title: "Weihnachten 18 Uhr", day: "2026-12-24"},
		{name: "DotsWithYear", text: "Steuer bis 31.05.2026", zone: "Europe/Berlin", now: "2026-03-06T10:00:00+01:00",
			title: "Steuer bis", day: "2026-05-31"},
		{name: "DotsWithYearInUS", text: "visa 31.05.2026", title: "visa", day: "2026-05-31"},
		{name: "DotsAloneAreNoDate", text: "buy 1.5 kg flour", title: "buy 1.5 kg flour"},
		{name: "VersionIsNoDate", text: "upgrade to 10.11.12", title: "upgrade to 10.11.12"},
		{name: "SlashUntil", text: "standup every weekday until 3/20", title: "standup",
			day: "2026-03-06", rule: "FREQ=WEEKLY;UNTIL=20260320;BYDAY=MO,TU,WE,TH,FR"},
		{name: "OtherZone", text: "call mom tomorrow 5pm", zone: "Asia/Kolkata", now: "2026-03-06T23:30:00+05:30",
			title: "call mom", due: "2026-03-07T17:00:00+05:30"},
		// Short day names that are also words are dates only where a date is plainly meant:
		// after a word such as "on", "this" or "until", or next to a time of day.
		{name: "SunIsAWord", text: "buy sun cream", title: "buy sun cream"},
		{name: "SATIsATest", text: "SAT prep course", title: "SAT prep course"},
		{name: "TheSAT", text: "study for the SAT", title: "study for the SAT"},
		{name: "SunIsAName", text: "call Dr. Sun about results", title: "call Dr. Sun about results"},
		{name: "SunIsANameBeforeATime", text: "call Dr. Sun 3pm", title: "call Dr. Sun", due: "2026-03-06T15:00:00-05:00"},
		{name: "TheSATBeforeATime", text: "take the SAT 8am", title: "take the SAT", due: "2026-03-07T08:00:00-05:00"},
		{name: "MayIsAWord", text: "I may call Bob", title: "I may call Bob"},
		{name: "MayIsAWordLate", text: "call Bob, may be late", title: "call Bob, may be late"},
		{name: "JanIsAName", text: "meet Jan for lunch", title: "meet Jan for lunch"},
		{name: "MayWithADay", text: "party may 5", title: "party", day: "2026-05-05"},
		{name: "OnSun", text: "brunch on sun", title: "brunch", day: "2026-03-08"},
		{name: "ThisSat", text: "hike this sat", title: "hike", day: "2026-03-07"},
		{name: "SatBeforeATime", text: "hike sat 10am", title: "hike", due: "2026-03-07T10:00:00-05:00"},
		{name: "SunAfterATime", text: "yoga 9am sun", title: "yoga", due: "2026-03-08T09:00:00-04:00"},
		{name: "SatMorning", text: "hike sat morning", title: "hike", due: "2026-03-07T09:00:00-05:00"},
		{name: "WedIsADay", text: "dentist wed", title: "dentist", day: "2026-03-11"},
		{name: "EverySat", text: "chess every sat", title: "chess", day: "2026-03-07", rule: "FREQ=WEEKLY;BYDAY=SA"},
		// "at" before the end of a month or year.
		{name: "AtTheEndOfTheMonth", text: "send invoice at the end of the month", title: "send invoice",
			day: "2026-03-31"},
		{name: "AtEndOfYear", text: "file taxes at end of year", title: "file taxes", day: "2026-12-31"},
		// A series whose first day has passed runs from it, due next from today; a first
		// day without a year is the nearer of its last and its next.
		{name: "PastStartKeepsItsCadence", text: "review every 2 weeks starting mar 3", title: "review",
			day: "2026-03-17", rule: "FREQ=WEEKLY;INTERVAL=2"},
		{name: "PastStartAtATime", text: "call every 2 weeks at 10am starting mar 3", title: "call",
			due: "2026-03-17T10:00:00-04:00", rule: "FREQ=WEEKLY;INTERVAL=2"},
		{name: "PastStartWithAYear", text: "stretch every day starting 2026-03-01", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY"},
		{name: "StartYearlessAheadIsNext", text: "stretch every day starting apr 5", title: "stretch",
			day: "2026-04-05", rule: "FREQ=DAILY"},
		{name: "StartTodayAtAPassedTime", text: "stretch every day at 9am starting today", title: "stretch",
			due: "2026-03-07T09:00:00-05:00", rule: "FREQ=DAILY"},
		{name: "StartNextYearIsAhead", text: "stretch every week starting next year", title: "stretch",
			day: "2027-01-01", rule: "FREQ=WEEKLY"},
		{name: "EndingAsUntil", text: "stretch every day ending mar 31", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260331"},
		// "first thing" is the morning: of the day it names, else the next one.
		{name: "FirstThingTomorrow", text: "call first thing tomorrow", title: "call", due: "2026-03-07T09:00:00-05:00"},
		{name: "DayFirstThing", text: "email bob monday first thing", title: "email bob", due: "2026-03-09T09:00:00-04:00"},
		{name: "FirstThingAlone", text: "call first thing", title: "call", due: "2026-03-07T09:00:00-05:00"},
		{name: "FirstThingAloneEarly", text: "call first thing in the morning", now: "2026-03-06T07:00:00-05:00", title: "call", due: "2026-03-06T09:00:00-05:00"},
		{name: "FirstThingATitle", text: "first thing on the list", title: "first thing on the list"},
		// "before" a day is due the day before, by the time that day begins; before a
		// time of day or the end of a period, by then.
		{name: "BeforeADay", text: "book flights before friday", title: "book flights", day: "2026-03-12"},
		{name: "BeforeMonday", text: "finish report before monday", title: "finish report", day: "2026-03-08"},
		{name: "BeforeTheNth", text: "pay before the 15th", title: "pay", day: "2026-03-14"},
		{name: "BeforeTomorrow", text: "done before tomorrow", title: "done", day: "2026-03-06"},
		{name: "BeforeADayAtATime", text: "submit before friday 5pm", title: "submit", due: "2026-03-13T17:00:00-04:00"},
		{name: "BeforeATime", text: "call before 4pm", title: "call", due: "2026-03-06T16:00:00-05:00"},
		{name: "BeforeTheEndOfTheMonth", text: "pay before the end of the month", title: "pay", day: "2026-03-31"},
		{name: "BeforeNoDate", text: "wash hands before eating", title: "wash hands before eating"},
		{name: "AtAnHour", text: "meet at 8", title: "meet", due: "2026-03-06T20:00:00-05:00"},
		// A day of every month.
		{name: "LastDayOfEveryMonth", text: "pay credit card on the last day of every month", title: "pay credit card",
			day: "2026-03-31", rule: "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{name: "FirstOfEveryMonth", text: "pay rent on the 1st of every month at 8am", title: "pay rent",
			due: "2026-04-01T08:00:00-04:00", rule: "FREQ=MONTHLY;BYMONTHDAY=1"},
		{name: "FifteenthOfEachMonth", text: "pay on the 15th of each month", title: "pay",
			day: "2026-03-15", rule: "FREQ=MONTHLY;BYMONTHDAY=15"},
		{name: "TheNthOfEveryMonthWithoutOn", text: "backup the 20th of every month", title: "backup",
			day: "2026-03-20", rule: "FREQ=MONTHLY;BYMONTHDAY=20"},
		{name: "NthWeekdayOfEveryMonth", text: "book club on the 2nd tuesday of every month", title: "book club",
			day: "2026-03-10", rule: "FREQ=MONTHLY;BYDAY=+2TU"},
		{name: "LastWeekdayOfEveryMonth", text: "review on the last friday of every month", title: "review",
			day: "2026-03-27", rule: "FREQ=MONTHLY;BYDAY=-1FR"},
		{name: "MonthlyOnNthWeekday", text: "plan monthly on the 2nd tuesday", title: "plan",
			day: "2026-03-10", rule: "FREQ=MONTHLY;BYDAY=+2TU"},
		{name: "EveryOtherMonthOnNthWeekdays", text: "plan every other month on the first and third monday at 9am", title: "plan",
			due: "2026-03-16T09:00:00-04:00", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=+1MO,+3MO"},
		{name: "EveryMonthOnTheLastWeekday", text: "review every month on the last friday", title: "review",
			day: "2026-03-27", rule: "FREQ=MONTHLY;BYDAY=-1FR"},
		// "until" ends a series; it starts as it would without.
		{name: "EveryDayUntil", text: "water plants every day until friday", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260313"},
		{name: "UntilMonthDay", text: "gym every monday at 7pm until april 30", title: "gym",
			due: "2026-03-09T19:00:00-04:00", rule: "FREQ=WEEKLY;UNTIL=20260430;BYDAY=MO"},
		{name: "UntilSat", text: "stretch daily until sat", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260307"},
		{name: "UntilWithoutRuleIsTitle", text: "wait until friday", title: "wait until", day: "2026-03-13"},
		// After a rule, this week, month or year is how long it runs (until 2026-12-06 "this
		// month" there was the due date, the series starting on the month's last day).
		{name: "RuleThisMonth", text: "water plants every 2 days this month", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=2;UNTIL=20260331"},
		{name: "RuleThisWeek", text: "stretch every day this week", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260308"},
		{name: "RuleThisYear", text: "pay the nanny every month this year", title: "pay the nanny",
			day: "2026-03-06", rule: "FREQ=MONTHLY;UNTIL=20261231"},
		{name: "RuleOnADayThisMonth", text: "gym every monday this month", title: "gym",
			day: "2026-03-09", rule: "FREQ=WEEKLY;UNTIL=20260331;BYDAY=MO"},
		// A month alone ends the series before it begins; its end takes it in.
		{name: "DueIn", text: "report due in 3 days", title: "report", day: "2026-03-09"},
		{name: "Within", text: "pay invoice within 3 days", title: "pay invoice", day: "2026-03-09"},
		{name: "AfterATime", text: "call the plumber after 4pm", title: "call the plumber", due: "2026-03-06T16:00:00-05:00"},
		{name: "AfterABareHourIsTitle", text: "call after 5", title: "call after 5"},
		{name: "DueFromNow", text: "call due 2 hours from now", title: "call", due: "2026-03-06T12:00:00-05:00"},
		{name: "UntilMonth", text: "call dad every sunday at 11am until june", title: "call dad",
			due: "2026-03-08T11:00:00-04:00", rule: "FREQ=WEEKLY;UNTIL=20260531;BYDAY=SU"},
		{name: "UntilThisMonthIsNextYears", text: "stretch daily until march", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20270228"},
		{name: "UntilMonthOfAYear", text: "stretch daily until march 2028", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20280229"},
		{name: "UntilTheEndOfAMonth", text: "stretch daily until the end of april", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260430"},
		{name: "UntilTheEndOfAMonthOfAYear", text: "stretch daily until the end of february 2028", title: "stretch",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20280229"},
		{name: "UntilAYear", text: "check the smoke alarm every year until 2030", title: "check the smoke alarm",
			day: "2026-03-06", rule: "FREQ=YEARLY;UNTIL=20291231"},
		{name: "UntilMonthOfNoYear", text: "stretch daily until march 1969", title: "stretch 1969",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20270228"},
		{name: "EndOfAMonthIsADueDate", text: "taxes by end of april", title: "taxes", day: "2026-04-30"},
		{name: "EndOfAPassedMonth", text: "report the last day of february", title: "report", day: "2027-02-28"},
		{name: "UntilMonthWithoutRuleIsTitle", text: "wait until june", title: "wait until june"},
		// "5 times": how many occurrences in all.
		{name: "Times", text: "yoga every tuesday 5 times", title: "yoga",
			day: "2026-03-10", rule: "FREQ=WEEKLY;COUNT=5;BYDAY=TU"},
		{name: "TimesInWords", text: "physio every monday at 8am six times", title: "physio",
			due: "2026-03-09T08:00:00-04:00", rule: "FREQ=WEEKLY;COUNT=6;BYDAY=MO"},
		{name: "TimesWithoutRuleIsTitle", text: "knock 3 times", title: "knock 3 times"},
		{name: "TimesAfterUntilIsTitle", text: "stretch daily until sat 3 times", title: "stretch 3 times",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260307"},
		// A day of next week.
		{name: "NextWeekOnWeekday", text: "update budget next week on tuesday", title: "update budget",
			day: "2026-03-10"},
		{name: "NextWeekWeekday", text: "call next week thursday 3pm", title: "call", due: "2026-03-12T15:00:00-04:00"},
		{name: "WeekdayNextWeek", text: "dentist monday next week", now: "2026-03-09T10:00:00-04:00",
			title: "dentist", day: "2026-03-16"},
		{name: "NextWeekOnSunday", text: "hike next week on sun", title: "hike", day: "2026-03-15"},
		// Plural "weekdays" and "weekends" repeat; a singular "weekday" does not.
		{name: "Weekdays", text: "standup weekdays at 9am", title: "standup",
			due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "WeekdaysBareTime", text: "standup weekdays 9am", title: "standup",
			due: "2026-03-09T09:00:00-04:00", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "Weekends", text: "gym weekends", title: "gym", day: "2026-03-07", rule: "FREQ=WEEKLY;BYDAY=SA,SU"},
		{name: "OnWeekends", text: "gym on weekends", title: "gym", day: "2026-03-07", rule: "FREQ=WEEKLY;BYDAY=SA,SU"},
		{name: "AWeekdayIsTitle", text: "pick a weekday for the offsite", title: "pick a weekday for the offsite"},
		// A date without a time of day makes an all-day task; a time of day, a part of the
		// day or a time from now makes a timed one.
		{name: "DateAloneIsAllDay", text: "buy milk tomorrow", title: "buy milk", day: "2026-03-07"},
		{name: "DayOfMonthAloneIsAllDay", text: "pay rent on the 1st", title: "pay rent", day: "2026-04-01"},
		{name: "WeekdayAloneIsAllDay", text: "report friday", title: "report", day: "2026-03-13"},
		{name: "ISODateAloneIsAllDay", text: "report 2026-12-03", title: "report", day: "2026-12-03"},
		{name: "DateWithTimeIsTimed", text: "report friday at noon", title: "report", due: "2026-03-13T12:00:00-04:00"},
		{name: "DateWithBareHourIsTimed", text: "buy milk tomorrow at 9", title: "buy milk", due: "2026-03-07T09:00:00-05:00"},
		{name: "TodayWithTimeIsTimed", text: "call bank today 3pm", title: "call bank", due: "2026-03-06T15:00:00-05:00"},
		{name: "DateWithPartOfDayIsTimed", text: "report friday evening", title: "report", due: "2026-03-13T18:00:00-04:00"},
		{name: "EndOfDayIsTimed", text: "report tomorrow end of day", title: "report", due: "2026-03-07T23:59:00-05:00"},
		// A part of today that has passed is the end of the day, so that the task is not
		// overdue when it is added.
		{name: "TonightPassedIsEndOfDay", text: "movie tonight", now: "2026-03-06T21:00:00-05:00",
			title: "movie", due: "2026-03-06T23:59:00-05:00"},
		// A repeat rule without a time of day makes an all-day series, from today on.
		{name: "EveryWeekdayNameIsAllDay", text: "gym every monday", title: "gym", day: "2026-03-09", rule: "FREQ=WEEKLY;BYDAY=MO"},
		{name: "EveryNthIsAllDay", text: "pay bills every 15th", title: "pay bills", day: "2026-03-15", rule: "FREQ=MONTHLY;BYMONTHDAY=15"},
		{name: "WeekdaysIsAllDayFromToday", text: "standup weekdays", title: "standup",
			day: "2026-03-06", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "WeekdaysOnASaturday", text: "standup weekdays", now: "2026-03-07T10:00:00-05:00", title: "standup",
			day: "2026-03-09", rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{name: "DailyLateIsToday", text: "vitamins daily", now: "2026-03-06T23:59:20-05:00", title: "vitamins",
			day: "2026-03-06", rule: "FREQ=DAILY"},
		{name: "UntilTodayIsOneDay", text: "water plants every day until today", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260306"},
		// An all-day series ends with a day: the time of an until is dropped.
		{name: "UntilATimeIsADay", text: "water plants every day until 2026-03-10T14:00", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260310"},
		{name: "UntilATimeStaysTimed", text: "water plants every day at 8am until 2026-03-10T14:00", title: "water plants",
			due: "2026-03-07T08:00:00-05:00", rule: "FREQ=DAILY;UNTIL=20260310T140000"},
		{name: "EveryDayFromCompletionIsAllDay", text: "water plants every 3 days from completion", title: "water plants",
			day: "2026-03-06", rule: "FREQ=DAILY;INTERVAL=3", completion: true},
		// Reminders of an all-day task: before counts back from 09:00 on its day; a time is
		// on its day, absolute for a one-off, a distance before 09:00 for a series (on the day
		// before when it is later than 09:00).
		{name: "AllDayRemindBefore", text: "pay rent on the 1st remind me 1 hour before", title: "pay rent",
			day: "2026-04-01", reminders: []string{"before PT1H"}},
		{name: "AllDayRemindTheDayBefore", text: "pay rent on the 1st remind me the day before", title: "pay rent",
			day: "2026-04-01", reminders: []string{"before P1D"}},
		{name: "AllDayRemindAt", text: "pay rent on the 1st remind me at 8am", title: "pay rent",
			day: "2026-04-01", reminders: []string{"at 2026-04-01T08:00:00-04:00"}},
		{name: "AllDayRemindAtLater", text: "pay rent on the 1st remind me at 6pm", title: "pay rent",
			day: "2026-04-01", reminders: []string{"at 2026-04-01T18:00:00-04:00"}},
		{name: "AllDayRemindOnADay", text: "pay rent on the 1st remind me march 31", title: "pay rent",
			day: "2026-04-01", reminders: []string{"at 2026-03-31T09:00:00-04:00"}},
		{name: "AllDayRemindInHours", text: "buy milk tomorrow remind me in 2 hours", title: "buy milk",
			day: "2026-03-07", reminders: []string{"at 2026-03-06T12:00:00-05:00"}},
		{name: "AllDaySeriesRemindAt", text: "pay rent every 1st remind me at 8am", title: "pay rent",
			day: "2026-04-01", rule: "FREQ=MONTHLY;BYMONTHDAY=1", reminders: []string{"before PT1H"}},
		{name: "AllDaySeriesRemindAtLaterIsTheDayBefore", text: "bins every thursday remind me at 6pm", title: "bins",
			day: "2026-03-12", rule: "FREQ=WEEKLY;BYDAY=TH", reminders: []string{"before PT15H"}},
		{name: "AllDaySeriesRemindAtNine", text: "bins every thursday remind me at 9am", title: "bins",
			day: "2026-03-12", rule: "FREQ=WEEKLY;BYDAY=TH", reminders: []string{"before PT0S"}},
		{name: "AllDaySeriesRemindOnADay", text: "bins every thursday remind me wednesday at 8am", title: "bins",
			day: "2026-03-12", rule: "FREQ=WEEKLY;BYDAY=TH", reminders: []string{"before P1DT1H"}},
		{name: "AllDaySeriesRemindBefore", text: "bins every thursday remind 30m before", title: "bins",
			day: "2026-03-12", rule: "FREQ=WEEKLY;BYDAY=TH", reminders: []string{"before PT30M"}},
		{name: "AllDayRemindMeTo", text: "remind me to pay rent on the 1st", title: "pay rent",
			day: "2026-04-01", reminders: []string{"before PT0S"}},
		// A day is a day across a DST change: in New York on the day the clocks go forward,
		// and in Havana, where they go forward at midnight (8 March 2026 begins at 01:00).
		{name: "AllDayOnSpringForward", text: "call mom on march 8", title: "call mom", day: "2026-03-08"},
		{name: "AllDayOnFallBack", text: "call mom on 2026-11-01", title: "call mom", day: "2026-11-01"},
		{name: "AllDaySeriesAcrossDST", text: "backup every day", now: "2026-03-07T23:30:00-05:00",
			title: "backup", day: "2026-03-07", rule: "FREQ=DAILY"},
		{name: "AllDayInHavana", text: "party tomorrow", zone: "America/Havana", now: "2026-03-07T12:00:00-05:00",
			title: "party", day: "2026-03-08"},
		{name: "AllDayTodayInHavana", text: "party today", zone: "America/Havana", now: "2026-03-08T01:30:00-04:00",
			title: "party", day: "2026-03-08"},
		{name: "AllDaySeriesInHavana", text: "party every sunday", zone: "America/Havana", now: "2026-03-07T12:00:00-05:00",
			title: "party", day: "2026-03-08", rule: "FREQ=WEEKLY;BYDAY=SU"},
		// A zone's abbreviation after the time (since 2026-12-06; before, it stayed in the
		// title and the time was the user's): the task runs on that zone's clock, on the
		// day as the user counts days. EST after New York's clocks went forward is still
		// New York's 18:00 (EDT), as people who write it mean.
		{name: "ZoneAfterTheTime", text: "webinar thursday 6pm CET", taskZone: "Europe/Berlin",
			title: "webinar", due: "2026-03-12T18:00:00+01:00"},
		{name: "ZoneNamedInWinterTime", text: "Webinar Thursday 6pm EST", zone: "Europe/Berlin", taskZone: "America/New_York",
			title: "Webinar", due: "2026-03-12T18:00:00-04:00"},
		{name: "ZoneOfARule", text: "Standup 9am PT daily", zone: "Europe/Berlin", taskZone: "America/Los_Angeles",
			title: "Standup", due: "2026-03-06T09:00:00-08:00", rule: "FREQ=DAILY"},
		{name: "ZoneAndTheUsersTomorrow", text: "call the tokyo office at 8am JST tomorrow", taskZone: "Asia/Tokyo",
			title: "call the tokyo office", due: "2026-03-07T08:00:00+09:00"},
		{name: "ZoneOfARange", text: "call 9-10am GMT", zone: "Europe/Berlin", taskZone: "UTC",
			title: "call", due: "2026-03-07T09:00:00Z"},
		{name: "ZoneTheUserIsIn", text: "call 5pm CET", zone: "Europe/Paris", title: "call", due: "2026-03-06T17:00:00+01:00"},
		// An hour alone right after a day, where the phrase ends or goes on as an
		// appointment's (until 2026-12-06 "call bob monday 9" was all-day, titled "call
		// bob 9"); a count stays a count.
		{name: "HourAloneAfterADay", text: "call bob monday 9", title: "call bob", due: "2026-03-09T09:00:00-04:00"},
		{name: "AfternoonHourAloneAfterADay", text: "call jim tomorrow 3 with sam", title: "call jim with sam", due: "2026-03-07T15:00:00-05:00"},
		{name: "CountAfterADay", text: "run tuesday 5 km", title: "run 5 km", day: "2026-03-10"},
		{name: "DayOfTheMonthAfterADay", text: "dentist monday 15", title: "dentist 15", day: "2026-03-09"}, // maybe the 15th
		// A score after a day is no range (until 2026-12-06 due at 15:00 for 22 hours).
		{name: "ScoreAfterADay", text: "score monday 3-1", title: "score 3-1", day: "2026-03-09"},
		// Close of business is 17:00 after "by", "at" or "due"; "sometime" and "later"
		// before a day are its (until 2026-12-06 they stayed in the title, and the task
		// was all-day).
		{name: "ByCOB", text: "submit proposal by COB thursday", title: "submit proposal", due: "2026-03-12T17:00:00-04:00"},
		{name: "ByCloseOfBusiness", text: "report by close of business", title: "report", due: "2026-03-06T17:00:00-05:00"},
		{name: "CobIsAWord", text: "buy corn on the cob", title: "buy corn on the cob"},
		{name: "SometimeNextWeek", text: "get a haircut sometime next week", title: "get a haircut", day: "2026-03-09"},
		{name: "LaterToday", text: "call grandma later today", title: "call grandma", day: "2026-03-06"},
		{name: "SometimeAlone", text: "do it sometime", title: "do it sometime"},
		// A number after "at" is a price or an amount before a word that says so (until
		// 2026-12-06 the task was due at 14:00 and titled "buy tomatoes euros").
		{name: "AtAPrice", text: "buy tomatoes at 2 euros", title: "buy tomatoes at 2 euros"},
		{name: "AtAPriceOnADay", text: "sell the bike at 20 dollars on saturday", title: "sell the bike at 20 dollars", day: "2026-03-07"},
		// An hour only a 24-hour clock has is a time of the list without am or pm (until
		// 2026-12-06 "and 20" stayed in the title and the evening dose was lost).
		{name: "DosesOnA24HourClock", text: "take meds at 8 and 20 every day", title: "take meds",
			due: "2026-03-06T20:00:00-05:00", rule: "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0"},
		// An adverb that names the task yields to a deadline or a day of its own: the task
		// is due once (until 2026-12-06 each repeated from that day).
		{name: "NamingAdverbAndTomorrow", text: "daily standup notes tomorrow", title: "daily standup notes", day: "2026-03-07"},
		{name: "NamingAdverbAndADeadline", text: "monthly newsletter draft by monday", title: "monthly newsletter draft", day: "2026-03-09"},
		{name: "NamingAdverbAndADay", text: "weekly review monday 4pm", title: "weekly review",
			due: "2026-03-09T16:00:00-04:00", rule: "FREQ=WEEKLY"},
		{name: "NamingAdverbFromCompletion", text: "weekly report tomorrow from completion", title: "weekly report",
			day: "2026-03-07", rule: "FREQ=WEEKLY", completion: true},
		// Holidays on a fixed date, after a word that introduces a date (until 2026-12-06
		// they stayed in the title and the task had no due).
		{name: "OnChristmasEve", text: "wrap presents on christmas eve", title: "wrap presents", day: "2026-12-24"},
		{name: "ByChristmas", text: "send cards by Christmas", title: "send cards", day: "2026-12-25"},
		{name: "BeforeHalloween", text: "carve pumpkins before halloween", title: "carve pumpkins", day: "2026-10-30"},
		{name: "OnNewYearsEveAtATime", text: "party on new year's eve at 8pm", title: "party", due: "2026-12-31T20:00:00-05:00"},
		{name: "UntilChristmas", text: "decorate every day until christmas", title: "decorate", day: "2026-03-06",
			rule: "FREQ=DAILY;UNTIL=20261225"},
		{name: "AHolidayAloneIsTitle", text: "christmas tree shopping", title: "christmas tree shopping"},
		{name: "BangP1", text: "clean the bathroom !p1", title: "clean the bathroom", priority: taskwire.PriorityUrgent},
		// A verb's "in" before a month and day is the verb's (until 2026-12-06 "check in
		// dec 20 at the hotel" was titled "check at the hotel"); before a month alone it
		// says when.
		{name: "CheckInOnADate", text: "check in dec 20 at the hotel", title: "check in at the hotel", day: "2026-12-20"},
		{name: "MoveInAMonth", text: "move in april", title: "move", day: "2026-04-01"},
		// A day's name in an occasion's says no date (until 2026-12-06 "plan Black Friday
		// sale" was due on the coming Friday, titled "plan Black sale").
		{name: "AnOccasionsDayIsTitle", text: "plan Black Friday sale", title: "plan Black Friday sale"},
		{name: "AnOccasionsDayBesideADate", text: "Cyber Monday deals email tomorrow", title: "Cyber Monday deals email", day: "2026-03-07"},
		{name: "TwoLettersBeforeATitleWordAreTitle", text: "3pm CT scan", title: "CT scan", due: "2026-03-06T15:00:00-05:00"},
		{name: "TwoLettersInLowerCaseAreTitle", text: "physio 4pm pt", title: "physio pt", due: "2026-03-06T16:00:00-05:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			zone := tt.zone
			if zone == "" {
				zone = "America/New_York"
			}
			loc, err := time.LoadLocation(zone)
			require.NoError(t, err)
			now := tt.now
			if now == "" {
				now = friday
			}
			res, err := quickadd.Parse(tt.text, mustTime(t, now), loc)
			require.NoError(t, err)
			task := res.Task
			assert.Equal(t, tt.title, task.Title)
			if tt.due == "" {
				assert.Nil(t, task.DueAt, "got due_at %v, want none", task.DueAt)
			} else if assert.NotNil(t, task.DueAt, "got no due_at, want %s", tt.due) {
				assert.Equal(t, tt.due, *task.DueAt)
			}
			if tt.day == "" {
				assert.Nil(t, task.DueDate, "got due_date %v, want none", task.DueDate)
			} else if assert.NotNil(t, task.DueDate, "got no due_date, want %s", tt.day) {
				assert.Equal(t, tt.day, *task.DueDate)
			}
			if tt.rule == "" {
				assert.Nil(t, task.Recurrence)
			} else if assert.NotNil(t, task.Recurrence, "got no recurrence, want %s", tt.rule) {
				assert.Equal(t, tt.rule, *task.Recurrence)
			}
			wantFrom := taskwire.RepeatFromSchedule
			if tt.completion {
				wantFrom = taskwire.RepeatFromCompletion
			}
			assert.Equal(t, string(wantFrom), task.RepeatFrom)
			wantPriority := tt.priority
			if wantPriority == "" {
				wantPriority = taskwire.PriorityNone
			}
			assert.Equal(t, string(wantPriority), task.Priority)
			assert.Equal(t, append([]string{}, tt.tags...), []string(task.Tags))
			assert.Equal(t, append([]string{}, tt.reminders...), reminders(task.Reminders))
			wantZone := zone
			if tt.taskZone != "" {
				wantZone = tt.taskZone
			}
			assert.Equal(t, wantZone, task.TimeZone)
			_, err = task.Fields()
			assert.NoError(t, err, "the task must pass POST /v1/tasks validation")
		})
	}
}

func TestParse_Understood(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       [][2]string
	}{
		{name: "Issue", text: "Pay rent every month on the 1st at 9am #home !high remind 1h before", want: [][2]string{
			{"every month on the 1st", "repeats every month on the 1st, first on Wed 1 Apr 2026 09:00"},
			{"at 9am", "at 09:00"},
			{"#home", "tag home"},
			{"!high", "priority high"},
			{"remind 1h before", "reminder 1 hour before"},
		}},
		// The time understood is the time used: a bare hour in the evening is pm.
		{name: "TonightAtBareHour", text: "finish slides tonight at 11", want: [][2]string{
			{"tonight", "on Fri 6 Mar 2026"},
			{"at 11", "at 23:00"},
		}},
		{name: "EveryBang", text: "water plants every! 3 days", want: [][2]string{
			{"every! 3 days", "repeats every 3 days, from completion, first on Fri 6 Mar 2026, all day"},
		}},
		{name: "BeforeADay", text: "book flights before friday", want: [][2]string{
			{"before friday", "before Fri 13 Mar 2026: on Thu 12 Mar 2026, all day"},
		}},
		{name: "ADayOfNextYear", text: "pay taxes april 15 next year", want: [][2]string{
			{"april 15 next year", "on Thu 15 Apr 2027, all day"},
		}},
		{name: "NextAMonth", text: "conference next march", want: [][2]string{
			{"next march", "on Mon 1 Mar 2027, all day"},
		}},
		{name: "MilitaryTime", text: "meet at 1730", want: [][2]string{
			{"at 1730", "at 17:30"},
		}},
		{name: "Zone", text: "webinar 6pm EST", want: [][2]string{
			{"6pm EST", "at 18:00 in America/New_York"},
		}},
		{name: "InWeekends", text: "call mom in 2 weekends", want: [][2]string{
			{"in 2 weekends", "on Sat 14 Mar 2026, all day"},
		}},
		{name: "WakeUpAtAnEarlyHour", text: "wake up at 6.30", want: [][2]string{
			{"at 6.30", "at 06:30"},
		}},
		{name: "BareEarlyHour", text: "call at 5", want: [][2]string{
			{"at 5", "at 17:00"},
		}},
		{name: "BarePassedHour", text: "call bob at 7", want: [][2]string{
			{"at 7", "at 19:00"},
		}},
		{name: "RemindAtPassedHour", text: "remind me at 9 to call bob", want: [][2]string{
			{"remind me at 9 to", "reminder at 21:00"},
		}},
		{name: "BareHourBeforeTonight", text: "movie at 9 tonight", want: [][2]string{
			{"at 9", "at 21:00"},
			{"tonight", "on Fri 6 Mar 2026"},
		}},
		{name: "Until", text: "water plants every day until friday", want: [][2]string{
			{"every day", "repeats every day, first on Fri 6 Mar 2026, all day"},
			{"until friday", "until Fri 13 Mar 2026"},
		}},
		{name: "UntilATimeOfAnAllDaySeries", text: "water plants every day until 2026-03-10T14:00", want: [][2]string{
			{"every day", "repeats every day, first on Fri 6 Mar 2026, all day"},
			{"until 2026-03-10T14:00", "until Tue 10 Mar 2026"},
		}},
		{name: "UntilATimeOfATimedSeries", text: "water plants every day at 8am until 2026-03-10T14:00", want: [][2]string{
			{"every day", "repeats every day, first on Sat 7 Mar 2026 08:00"},
			{"at 8am", "at 08:00"},
			{"until 2026-03-10T14:00", "until Tue 10 Mar 2026 14:00"},
		}},
		{name: "NthOfEveryMonth", text: "pay on the last day of every month", want: [][2]string{
			{"on the last day of every month", "repeats every month on the last day, first on Tue 31 Mar 2026, all day"},
		}},
		{name: "Except", text: "walk dog every day except sunday", want: [][2]string{
			{"every day", "repeats every week on Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, first on Fri 6 Mar 2026, all day"},
			{"except sunday", "except Sunday"},
		}},
		{name: "MorningAndEvening", text: "meds every morning and evening", want: [][2]string{
			{"every morning and evening", "repeats every day at 09:00 and 18:00, first on Fri 6 Mar 2026 18:00"},
		}},
		{name: "TwiceADayAtTimes", text: "take pills twice a day at 8am and 8pm", want: [][2]string{
			{"twice a day", "repeats every day, first on Fri 6 Mar 2026 20:00"},
			{"at 8am and 8pm", "at 08:00 and 20:00"},
		}},
		{name: "SeveralMonths", text: "taxes every jan 15, apr 15, jun 15 and sep 15", want: [][2]string{
			{"every jan 15, apr 15, jun 15 and sep 15", "repeats every year on 15 January, April, June and September, first on Wed 15 Apr 2026, all day"},
		}},
		{name: "HourlyWindow", text: "check the oven every hour from 9 to 5", want: [][2]string{
			{"every hour", "repeats every day, first on Fri 6 Mar 2026 10:00"},
			{"from 9 to 5", "at 09:00, 10:00, 11:00, 12:00, 13:00, 14:00, 15:00, 16:00 and 17:00"},
		}},
		{name: "DaysOfTheMonth", text: "pay rent every 15th and last day of the month", want: [][2]string{
			{"every 15th and last day of the month", "repeats every month on the 15th and last day, first on Sun 15 Mar 2026, all day"},
		}},
		{name: "NthWeekdays", text: "board meeting every first, third and last sunday", want: [][2]string{
			{"every first, third and last sunday", "repeats every month on the first, third and last Sunday, first on Sun 15 Mar 2026, all day"},
		}},
		{name: "DateAloneIsAllDay", text: "buy milk tomorrow", want: [][2]string{
			{"tomorrow", "on Sat 7 Mar 2026, all day"},
		}},
		{name: "InDaysIsAllDay", text: "follow up in 3 days", want: [][2]string{
			{"in 3 days", "on Mon 9 Mar 2026, all day"},
		}},
		{name: "DateWithTime", text: "buy milk tomorrow 5pm", want: [][2]string{
			{"tomorrow", "on Sat 7 Mar 2026"},
			{"5pm", "at 17:00"},
		}},
		{name: "RemindMeToAllDay", text: "remind me to buy milk tomorrow", want: [][2]string{
			{"remind me to", "a reminder at 09:00 on the day it is due"},
			{"tomorrow", "on Sat 7 Mar 2026, all day"},
		}},
		// A fragment forgotten ("after done" without a rule) moves the others' places.
		{name: "CompletionWithoutRuleBeforeADate", text: "party after done tomorrow", want: [][2]string{
			{"tomorrow", "on Sat 7 Mar 2026, all day"},
		}},
		{name: "RemindMeToWithoutATime", text: "remind me to buy milk", want: [][2]string{
			{"remind me to", "no reminder: the line gives no date or time to remind at"},
		}},
		{name: "NextWeekOnWeekday", text: "update budget next week on tuesday", want: [][2]string{
			{"next week on tuesday", "on Tue 10 Mar 2026, all day"},
		}},
		{name: "ForADayInTheTitle", text: "call mom for friday dinner", want: [][2]string{
			{"for friday", "on Fri 13 Mar 2026, all day"},
		}},
		// An adverb kept in the title is still what set the rule.
		{name: "AdverbInTheTitle", text: "quarterly taxes", want: [][2]string{
			{"quarterly", "repeats every 3 months, first on Fri 6 Mar 2026, all day"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := quickadd.Parse(tt.text, mustTime(t, friday), mustZone(t, "America/New_York"))
			require.NoError(t, err)
			var got [][2]string
			for _, f := range res.Understood {
				assert.Equal(t, f.Text, tt.text[f.Start:f.End], "the span must be the fragment's")
				got = append(got, [2]string{f.Text, f.Meaning})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// The reminders quick add writes for an all-day task fire when the line says, as
// POST /v1/tasks reads them: relative ones count back from 09:00 on the task's day, and
// the task is due until the day's end, whatever the DST changes around it.
func TestParse_AllDayFireAt(t *testing.T) {
	for _, tt := range []struct {
		name, text, now, zone string
		due                   string   // the day's end, RFC 3339
		fire                  []string // when each reminder fires, RFC 3339
	}{
		{name: "OneHourBefore", text: "pay rent on the 1st remind me 1 hour before",
			due: "2026-04-01T23:59:59-04:00", fire: []string{"2026-04-01T08:00:00-04:00"}},
		{name: "TheDayBefore", text: "pay rent on the 1st remind me the day before",
			due: "2026-04-01T23:59:59-04:00", fire: []string{"2026-03-31T09:00:00-04:00"}},
		{name: "At", text: "pay rent on the 1st remind me at 8am",
			due: "2026-04-01T23:59:59-04:00", fire: []string{"2026-04-01T08:00:00-04:00"}},
		{name: "SeriesAt", text: "pay rent every 1st remind me at 8am",
			due: "2026-04-01T23:59:59-04:00", fire: []string{"2026-04-01T08:00:00-04:00"}},
		{name: "SeriesAtLater", text: "bins every thursday remind me at 6pm",
			due: "2026-03-12T23:59:59-04:00", fire: []string{"2026-03-11T18:00:00-04:00"}},
		{name: "SeriesOnADay", text: "bins every thursday remind me wednesday at 8am",
			due: "2026-03-12T23:59:59-04:00", fire: []string{"2026-03-11T08:00:00-04:00"}},
		{name: "RemindMeTo", text: "remind me to pay rent on the 1st",
			due: "2026-04-01T23:59:59-04:00", fire: []string{"2026-04-01T09:00:00-04:00"}},
		// The day the clocks go forward in New York has 23 hours; the reminder a day
		// before is 09:00 the day before, on the calendar.
		{name: "AcrossSpringForward", text: "call mom on march 8 remind me the day before and 1 hour before",
			due: "2026-03-08T23:59:59-04:00", fire: []string{"2026-03-07T09:00:00-05:00", "2026-03-08T08:00:00-04:00"}},
		{name: "SeriesAcrossSpringForward", text: "call mom every sunday remind me saturday at 8am",
			due: "2026-03-08T23:59:59-04:00", fire: []string{"2026-03-07T08:00:00-05:00"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			zone, now := tt.zone, tt.now
			if zone == "" {
				zone = "America/New_York"
			}
			if now == "" {
				now = friday
			}
			loc := mustZone(t, zone)
			res, err := quickadd.Parse(tt.text, mustTime(t, now), loc)
			require.NoError(t, err)
			f, err := res.Task.Fields()
			require.NoError(t, err)
			assert.True(t, f.AllDay, "got a timed task, want an all-day one")
			require.NotNil(t, f.DueAt)
			assert.Equal(t, tt.due, f.DueAt.In(loc).Format(time.RFC3339))
			var fire []string
			for _, r := range f.Reminders {
				at := r.FireAt(f.DueAt, f.TimeZone, f.AllDay)
				require.NotNil(t, at)
				fire = append(fire, at.In(loc).Format(time.RFC3339))
			}
			assert.Equal(t, tt.fire, fire)
		})
	}
}

func TestParse_Err(t *testing.T) {
	for _, tt := range []struct{ name, text string }{
		{"Empty", ""},
		{"Blank", " \t "},
		{"NoTitle", "tomorrow 5pm #home !high"},
		{"ReminderWithoutDue", "call remind 1h before"},
		{"UntilBeforeTheFirst", "water plants every monday until saturday"},
		{"UntilBeforeTheFirstTime", "water plants every day at 9am until today"},
		{"AllDayReminderAfterTheDay", "pay rent on the 1st remind me april 2"},
		{"AllDayReminderFromNowAfterTheDay", "buy milk today remind me in 20 hours"},
		{"AllDaySeriesReminderAfterNine", "bins every thursday remind me thursday at 10am"},
		{"AllDaySeriesReminderAfterTheDay", "bins every thursday remind me friday"},
		{"ReminderAfterDue", "standup every monday 9am remind me tuesday at 8pm"},
		{"ReminderFromNowAfterDue", "call bob in 1 hour remind me in 2 hours"},
		// More than recur's 100 000 steps from the start given to the first hour ahead.
		{"HourlyFromLongAgo", "check the backups every hour starting 2001-01-01"},
		{"ControlCharacter", "call\x00mom"},
		{"InvalidUTF8", "call \xff"},
		{"TooLong", string(make([]byte, quickadd.MaxTextLength+1))},
		// Two lines are two tasks, which one request does not make: until 2026-12-06 they
		// were one task, "call mom buy milk friday".
		{"TwoLines", "call mom tomorrow 5pm\nbuy milk friday #shop"},
		{"TwoLinesCRLF", "call mom tomorrow 5pm\r\nbuy milk friday #shop"},
		{"TwoLinesCR", "call mom tomorrow 5pm\rbuy milk friday #shop"},
		{"LineSeparator", "call mom tomorrow 5pm\u2028buy milk friday #shop"},
		// A reminder months or years before is refused, saying why (until 2026-12-06 it
		// stayed in the title, and no reminder was set).
		{"ReminderMonthsBefore", "renew visa in 6 months remind me 1 month before"},
		{"ReminderYearsBefore", "passport in 2 years remind me 1 year before"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := quickadd.Parse(tt.text, mustTime(t, friday), time.UTC)
			require.Error(t, err)
			assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
			assert.Equal(t, "text", taskwire.ErrorField(err))
		})
	}

	_, err := quickadd.Parse("renew visa in 6 months remind me 3 months before", mustTime(t, friday), time.UTC)
	assert.Equal(t, `a reminder before the due counts in minutes, hours, days or weeks, and "3 months before" is no one length: say "13 weeks before"`,
		taskwire.ErrorMessage(err))
	_, err = quickadd.Parse("call mom tomorrow 5pm\nbuy milk", mustTime(t, friday), time.UTC)
	assert.Equal(t, `text must be one line, one task: a line break follows "call mom tomorrow 5pm"`, taskwire.ErrorMessage(err))
	// A line break at either end, as a shell's echo or a text area leaves, is no second line.
	r, err := quickadd.Parse("\nbuy milk friday\r\n", mustTime(t, friday), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, "buy milk", r.Task.Title)
}

// reminders writes reminders as "before PT1H" or "at <time>".
func reminders(rs []taskwire.ReminderInput) []string {
	out := []string{}
	for _, r := range rs {
		switch {
		case r.Before != nil:
			out = append(out, "before "+*r.Before)
		case r.At != nil:
			out = append(out, "at "+*r.At)
		}
	}
	return out
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(tb, err)
	return v
}

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(tb, err)
	return loc
}

// "for 30 minutes" says how long a task takes: after its due or before it, or alone (an
// estimate); an all-day task's in whole days, so that hours on a day stay the title's, as
// do a length the API refuses and one that runs on into other words.
func TestParse_Duration(t *testing.T) {
	now, err := time.Parse(time.RFC3339, friday)
	require.NoError(t, err)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	for _, tt := range []struct {
		text, title, duration, due, day, rule, meaning string
	}{
		{text: "meeting tomorrow at 3pm for 1h", title: "meeting", duration: "PT1H", due: "2026-03-07T15:00:00-05:00", meaning: "takes 1 hour"},
		{text: "meeting for 45 minutes tomorrow at 3pm", title: "meeting", duration: "PT45M", due: "2026-03-07T15:00:00-05:00", meaning: "takes 45 minutes"},
		{text: "yoga for 30 min at 7am", title: "yoga", duration: "PT30M", due: "2026-03-07T07:00:00-05:00", meaning: "takes 30 minutes"},
		{text: "call the bank for an hour", title: "call the bank", duration: "PT1H", meaning: "takes 1 hour"},
		{text: "work 9h-17h monday", title: "work", duration: "PT8H", due: "2026-03-09T09:00:00-04:00", meaning: "at 09:00, takes 8 hours"},
		{text: "workshop tomorrow 10am for 1h30", title: "workshop", duration: "PT90M", due: "2026-03-07T10:00:00-05:00", meaning: "takes 90 minutes"},
		{text: "lisbon trip on march 30 for 3 days #travel", title: "lisbon trip", duration: "P3D", day: "2026-03-30", meaning: "takes 3 days"},
		{text: "retreat for 2 weeks on april 6", title: "retreat", duration: "P2W", day: "2026-04-06", meaning: "takes 2 weeks"},
		{text: "write report tomorrow for 2 hours", title: "write report for 2 hours", day: "2026-03-07"},
		{text: "stay for 2 days in a row", title: "stay for 2 days in a row"},
		{text: "antibiotics every 8 hours for 7 days", title: "antibiotics", due: "2026-03-06T11:00:00-05:00",
			rule: "FREQ=HOURLY;INTERVAL=8;UNTIL=20260312", meaning: "until Thu 12 Mar 2026"},
		{text: "stretch every day for 2 weeks", title: "stretch", day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260319",
			meaning: "until Thu 19 Mar 2026"},
		{text: "stretch every day until friday for 2 weeks", title: "stretch for 2 weeks", day: "2026-03-06",
			rule: "FREQ=DAILY;UNTIL=20260313"},
		{text: "standup every weekday at 9:30 for 15 min", title: "standup", duration: "PT15M", due: "2026-03-09T09:30:00-04:00",
			rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", meaning: "takes 15 minutes"},
		// A series may run for longer than a task may take, and for months or years.
		{text: "gym every monday for 3 months", title: "gym", day: "2026-03-09", rule: "FREQ=WEEKLY;UNTIL=20260608;BYDAY=MO",
			meaning: "until Mon 8 Jun 2026"},
		{text: "yoga every tuesday for 5 weeks", title: "yoga", day: "2026-03-10", rule: "FREQ=WEEKLY;UNTIL=20260413;BYDAY=TU",
			meaning: "until Mon 13 Apr 2026"},
		{text: "vitamins every day for a year", title: "vitamins", day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20270305",
			meaning: "until Fri 5 Mar 2027"},
		{text: "retreat for 3 days every year for 5 years", title: "retreat", duration: "P3D", day: "2026-03-06",
			rule: "FREQ=YEARLY;UNTIL=20310305", meaning: "until Wed 5 Mar 2031"},
		// (until 2026-12-05 "ending in 3 months" and "for the next 2 weeks" stayed in the
		// title, and the series had no end)
		{text: "gym every monday ending in 3 months", title: "gym", day: "2026-03-09", rule: "FREQ=WEEKLY;UNTIL=20260608;BYDAY=MO",
			meaning: "until Mon 8 Jun 2026"},
		{text: "stretch every day for the next 2 weeks", title: "stretch", day: "2026-03-06", rule: "FREQ=DAILY;UNTIL=20260319",
			meaning: "until Thu 19 Mar 2026"},
		{text: "stretch every day for 2 weeks starting monday", title: "stretch", day: "2026-03-09", rule: "FREQ=DAILY;UNTIL=20260322",
			meaning: "until Sun 22 Mar 2026"},
		{text: "yoga every tuesday 5 times for 2 weeks", title: "yoga for 2 weeks", day: "2026-03-10",
			rule: "FREQ=WEEKLY;COUNT=5;BYDAY=TU"},
		{text: "fast for 40 days", title: "fast for 40 days"},
		{text: "save for 2 months", title: "save for 2 months"},
		{text: "for 0 minutes think", title: "for 0 minutes think"},
		// A time of day with its end: due at the start, taking until the end.
		{text: "meeting next monday 2-3pm", title: "meeting", duration: "PT1H", due: "2026-03-09T14:00:00-04:00",
			meaning: "at 14:00, takes 1 hour"},
		{text: "workshop tomorrow 9am-5pm", title: "workshop", duration: "PT8H", due: "2026-03-07T09:00:00-05:00",
			meaning: "at 09:00, takes 8 hours"},
		{text: "call 10:30-11:45 tomorrow", title: "call", duration: "PT1H15M", due: "2026-03-07T10:30:00-05:00",
			meaning: "at 10:30, takes 1 hour 15 minutes"},
		{text: "meeting tomorrow at 3pm for half an hour", title: "meeting", duration: "PT30M", due: "2026-03-07T15:00:00-05:00",
			meaning: "takes 30 minutes"},
		// Hours with minutes (until 2026-12-05 they stayed in the title).
		{text: "meeting tomorrow 3pm for 1h30", title: "meeting", duration: "PT90M", due: "2026-03-07T15:00:00-05:00",
			meaning: "takes 90 minutes"},
		{text: "meeting tomorrow 3pm for 1 hour 30 minutes", title: "meeting", duration: "PT90M", due: "2026-03-07T15:00:00-05:00",
			meaning: "takes 90 minutes"},
		{text: "meeting for an hour and a half tomorrow 3pm", title: "meeting", duration: "PT90M", due: "2026-03-07T15:00:00-05:00",
			meaning: "takes 90 minutes"},
		{text: "meeting tomorrow 3pm for 2.5h", title: "meeting", duration: "PT150M", due: "2026-03-07T15:00:00-05:00",
			meaning: "takes 150 minutes"},
		{text: "offsite monday 9am for 1.5 days", title: "offsite", duration: "PT36H", due: "2026-03-09T09:00:00-04:00", meaning: "takes 36 hours"},
		{text: "meeting 1:30-2:30", title: "meeting", duration: "PT1H", due: "2026-03-06T13:30:00-05:00",
			meaning: "at 13:30, takes 1 hour"},
		{text: "class 6:30-7:30", title: "class", duration: "PT1H", due: "2026-03-06T18:30:00-05:00",
			meaning: "at 18:30, takes 1 hour"},
		{text: "run 06:30-07:30", title: "run", duration: "PT1H", due: "2026-03-07T06:30:00-05:00",
			meaning: "at 06:30, takes 1 hour"},
		{text: "lunch 11-1pm friday", title: "lunch", duration: "PT2H", due: "2026-03-13T11:00:00-04:00",
			meaning: "at 11:00, takes 2 hours"},
		{text: "party saturday 10pm-2am", title: "party", duration: "PT4H", due: "2026-03-07T22:00:00-05:00",
			meaning: "at 22:00, takes 4 hours"},
		{text: "dentist 2-3 pm tomorrow", title: "dentist", duration: "PT1H", due: "2026-03-07T14:00:00-05:00",
			meaning: "at 14:00, takes 1 hour"},
		{text: "yoga every tuesday 6-7pm", title: "yoga", duration: "PT1H", due: "2026-03-10T18:00:00-04:00",
			rule: "FREQ=WEEKLY;BYDAY=TU", meaning: "at 18:00, takes 1 hour"},
		// Written in words, or in hours alone right after the day it is on.
		{text: "sync monday 10-11", title: "sync", duration: "PT1H", due: "2026-03-09T10:00:00-04:00",
			meaning: "at 10:00, takes 1 hour"},
		{text: "dinner friday 7-9", title: "dinner", duration: "PT2H", due: "2026-03-13T19:00:00-04:00",
			meaning: "at 19:00, takes 2 hours"},
		{text: "concert friday 8-11", title: "concert", duration: "PT3H", due: "2026-03-13T20:00:00-04:00",
			meaning: "at 20:00, takes 3 hours"},
		{text: "review tomorrow 2-3", title: "review", duration: "PT1H", due: "2026-03-07T14:00:00-05:00",
			meaning: "at 14:00, takes 1 hour"},
		{text: "standup every monday 9-10", title: "standup", duration: "PT1H", due: "2026-03-09T09:00:00-04:00",
			rule: "FREQ=WEEKLY;BYDAY=MO", meaning: "at 09:00, takes 1 hour"},
		{text: "sync monday 10am to 11am", title: "sync", duration: "PT1H", due: "2026-03-09T10:00:00-04:00",
			meaning: "at 10:00, takes 1 hour"},
		{text: "sync monday 10am - 11:30am", title: "sync", duration: "PT1H30M", due: "2026-03-09T10:00:00-04:00",
			meaning: "at 10:00, takes 1 hour 30 minutes"},
		{text: "sync 11 am till 1 pm", title: "sync", duration: "PT2H", due: "2026-03-06T11:00:00-05:00",
			meaning: "at 11:00, takes 2 hours"},
		{text: "call tomorrow from 10:30 to 11:15", title: "call", duration: "PT45M", due: "2026-03-07T10:30:00-05:00",
			meaning: "at 10:30, takes 45 minutes"},
		{text: "shift friday from 9 to 5", title: "shift", duration: "PT8H", due: "2026-03-13T09:00:00-04:00",
			meaning: "at 09:00, takes 8 hours"},
		{text: "meet tomorrow between 2pm and 3:30pm", title: "meet", duration: "PT1H30M", due: "2026-03-07T14:00:00-05:00",
			meaning: "at 14:00, takes 1 hour 30 minutes"},
		{text: "meet tomorrow between 2 and 3", title: "meet", duration: "PT1H", due: "2026-03-07T14:00:00-05:00",
			meaning: "at 14:00, takes 1 hour"},
		{text: "meeting monday 10-11 with Bob", title: "meeting with Bob", duration: "PT1H", due: "2026-03-09T10:00:00-04:00",
			meaning: "at 10:00, takes 1 hour"},
		// Or right before it (until 2026-12-05 these stayed in the title): hours as said
		// aloud, not after a word that counts things, nor further apart than 12 hours.
		{text: "workshop 9-5 monday", title: "workshop", duration: "PT8H", due: "2026-03-09T09:00:00-04:00",
			meaning: "at 09:00, takes 8 hours"},
		{text: "meeting 10-11 tomorrow", title: "meeting", duration: "PT1H", due: "2026-03-07T10:00:00-05:00",
			meaning: "at 10:00, takes 1 hour"},
		{text: "shift from 9 to 5 on friday", title: "shift", duration: "PT8H", due: "2026-03-13T09:00:00-04:00",
			meaning: "at 09:00, takes 8 hours"},
		{text: "call 2-3 tomorrow", title: "call", duration: "PT1H", due: "2026-03-07T14:00:00-05:00",
			meaning: "at 14:00, takes 1 hour"},
		{text: "read chapter 3-5 tomorrow", title: "read chapter 3-5", day: "2026-03-07"},
		{text: "do exercises 1-4 tomorrow", title: "do exercises 1-4", day: "2026-03-07"},
		{text: "read 10-20 tomorrow", title: "read 10-20", day: "2026-03-07"},
		{text: "score 3-1 tomorrow", title: "score 3-1", day: "2026-03-07"},
		{text: "bring 2-3 chairs tomorrow", title: "bring 2-3 chairs", day: "2026-03-07"},
		{text: "study friday 1-2 hours", title: "study 1-2 hours", day: "2026-03-13"},
		{text: "lunch monday 3 to 4 people", title: "lunch 3 to 4 people", day: "2026-03-09"},
		{text: "read pages 10-20 monday", title: "read pages 10-20", day: "2026-03-09"},
		{text: "read pages from 10 to 20", title: "read pages from 10 to 20"},
		{text: "choose between 2 and 3 options", title: "choose between 2 and 3 options"},
		{text: "dinner monday at 5 to 10 people", title: "dinner to 10 people", due: "2026-03-09T17:00:00-04:00"},
		// A span of days that names its month: due its first day, taking them all.
		{text: "vacation from july 1 to july 14", title: "vacation", duration: "P14D", day: "2026-07-01",
			meaning: "on Wed 1 Jul 2026 to Tue 14 Jul 2026, takes 14 days, all day"},
		{text: "conference march 10-12", title: "conference", duration: "P3D", day: "2026-03-10",
			meaning: "on Tue 10 Mar 2026 to Thu 12 Mar 2026, takes 3 days, all day"},
		{text: "team offsite 23-24 march", title: "team offsite", duration: "P2D", day: "2026-03-23",
			meaning: "on Mon 23 Mar 2026 to Tue 24 Mar 2026, takes 2 days, all day"},
		{text: "festival 5th–7th of june #fun", title: "festival", duration: "P3D", day: "2026-06-05",
			meaning: "on Fri 5 Jun 2026 to Sun 7 Jun 2026, takes 3 days, all day"},
		{text: "trip june 28 through july 3", title: "trip", duration: "P6D", day: "2026-06-28",
			meaning: "on Sun 28 Jun 2026 to Fri 3 Jul 2026, takes 6 days, all day"},
		{text: "ski trip december 28 to january 3", title: "ski trip", duration: "P7D", day: "2026-12-28",
			meaning: "on Mon 28 Dec 2026 to Sun 3 Jan 2027, takes 7 days, all day"},
		{text: "project march 1 to march 20", title: "project", duration: "P20D", day: "2027-03-01",
			meaning: "on Mon 1 Mar 2027 to Sat 20 Mar 2027, takes 20 days, all day"},
		{text: "sprint every day march 9 to march 20", title: "sprint", day: "2026-03-09", rule: "FREQ=DAILY;UNTIL=20260320",
			meaning: "until Fri 20 Mar 2026"},
		{text: "long trip march 10 to may 1", title: "long trip to may 1", day: "2026-03-10"},
		{text: "review chapters 3-5 of march report", title: "review chapters 3-5 of march report"},
		{text: "read pages 10-20", title: "read pages 10-20"},
		{text: "find a 9-5 job", title: "find a 9-5 job"},
		{text: "call 1-800-555-1234 at 3pm", title: "call 1-800-555-1234", due: "2026-03-06T15:00:00-05:00"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			res, err := quickadd.Parse(tt.text, now, ny)
			require.NoError(t, err)
			assert.Equal(t, tt.title, res.Task.Title)
			got := ""
			if res.Task.Duration != nil {
				got = *res.Task.Duration
			}
			assert.Equal(t, tt.duration, got, "duration")
			due, day := "", ""
			if res.Task.DueAt != nil {
				due = *res.Task.DueAt
			}
			if res.Task.DueDate != nil {
				day = *res.Task.DueDate
			}
			assert.Equal(t, tt.due, due, "due_at")
			assert.Equal(t, tt.day, day, "due_date")
			rule := ""
			if res.Task.Recurrence != nil {
				rule = *res.Task.Recurrence
			}
			assert.Equal(t, tt.rule, rule, "recurrence")
			var meanings []string
			for _, f := range res.Understood {
				meanings = append(meanings, f.Meaning)
			}
			if tt.meaning != "" {
				assert.Contains(t, meanings, tt.meaning)
			} else {
				assert.NotContains(t, strings.Join(meanings, "|"), "takes", "no length read")
			}
		})
	}
}
