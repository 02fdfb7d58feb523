package quickadd_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/taskwire/taskwire/shared/quickadd"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// fuzzZones are zones with DST, odd offsets and the extremes of the date line.
var fuzzZones = []string{"UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
	"Pacific/Kiritimati", "America/St_Johns", "Pacific/Chatham", "Pacific/Pago_Pago"}

// FuzzParse checks that Parse never panics, that every task it returns passes the
// validation of POST /v1/tasks and keeps the title and spans it reports, and that every
// error is about the field "text".
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Pay rent every month on the 1st at 9am #home !high remind 1h before",
		"call mom tomorrow 5pm", "dentist next friday at 9:30 remind me 1 hour before",
		"standup every weekday at 8:30", "gym every monday and wednesday at 7pm",
		"water plants every 3 days", "review every 2 weeks on friday", "taxes on april 15",
		"report by 2026-12-03 14:00", "x in 2 hours", "x today", "x tonight", "x this evening",
		"x daily", "x weekly", "x monthly", "x yearly", "x every year on feb 29",
		"x every month on the 31st", "mow the lawn every week from completion", "x after done",
		"x !low !medium !high !urgent !1 !4 p1 p4", "#A #b x", "x remind 30m before",
		"x remind me at 8am", "x remind 1 day before", "x every 999 years on 9999-12-31",
		"x in 1000 years remind 366 days before", "x every other sunday at midnight",
		"x 2026-03-08T02:30 remind me at 2:30am", "x every 1000 days at 23:59",
		"meeting for 1h tomorrow at 3", "trip on march 30 for 3 days", "x every 8 hours for 7 days", "x for 31 days for 1m",
		"x every 2nd and 4th friday", "x every first, third and last sunday of the month", "x the 1st and last monday of every other month",
		"x the 1st and 15th of every month", "x 2-3pm", "x mon-fri", "x by eow", "x every day except sat and sun", "x every 2 days except monday", "x except friday", "x for monday", "x for 7pm", "x over the weekend", "x for the 2nd", "x from july 1 to july 14", "x 23rd-24th of march", "x december 28 thru january 3 at 9am", "x every day march 1 - march 3", "x end of next week", "x eom at 5pm", "x every sat–sun 9am", "x sun-sun", "x 10pm-2am every day", "x 11-1 pm", "x 12:00-12:00", "x 9–5pm for 1h", "x every month on the 15th, the 31st and the last day",
		"buy sun cream", "hike sat 10am", "yoga 9am sun", "call Dr. Sun 3pm", "x at the end of the month",
		"x on the last day of every month", "x on the 2nd tuesday of every other month", "x the 31st of every 3 months",
		"x every day until friday", "x every 999 years until 9998-12-31", "x every day until 2026-03-08T02:30",
		"x every day until march", "x every day until december 9998", "x every day until march 0000", "x by end of february 0001", "x every week until the end of february", "x by end of december",
		"x every monday 5 times", "x every day 999 times", "x every year for 999 years", "x every 9999 years for 3 months",
		"x next week on sun", "x sat next week", "x tonight at 11", "x at 9 tonight", "x weekdays at 9am", "x on weekends",
		"x tomorrow remind me at 8am", "x every thursday remind me at 6pm", "x every thursday remind me wednesday at 8am",
		"x every day until 2026-03-10T14:00", "x today remind me in 20 hours", "remind me to x on the 1st",
		"x every year on feb 29 remind me march 10",
		"x 15h30", "x at 9h", "x @15h", "x at 0h", "x 23h59 tomorrow", "x 1h30", "x at 24h", "x 9h-17h monday", "x remind me at 18h",
		"x every! 3 days", "x everyday", "x every workday", "x in half an hour", "x first thing tomorrow", "x first thing", "x before friday", "x before 4pm", "x before the end of the month", "x every day at 8am and 8pm", "x at 8am, 1pm and 8pm daily", "x at 8am and 8pm", "x every evening at 6 and 9pm",
		"x every weekday at 9:30am, 1:30pm and 5:30pm remind me 5 minutes before", "x in the morning", "x in the night",
		"x every fortnight on tuesday", "x every other quarter", "x semiannually", "x at 9am and",
		"x every last business day at 4pm", "x 3 times a day at 7", "x twice a day on weekdays", "x in an hour and a half",
		"x remind me 1.5 hours before friday 9am", "x tomorrow 10.30", "x a week from friday", "x (tomorrow) - y", "x @3pm",
		"remind me every morning to x", "x every jan 15, apr 15 and jul 15", "x every 15th of jan, apr and jul", "x wednesday nights",
		"x the monday after next", "x first monday next month", "x mon/wed/fri", "x on the 1st and 15th", "dinner at 8 remind me at 7",
		"x tonight at 9 remind me tonight at 8", "x at half past six", "x ending in 3 months every day", "x by 25th",
		"x first day of next month", "x the first day of may 2028", "x every day starting on april 3",
		"x friday remind me on the 18th", "x friday 9am remind me 1, 2 and 24 hours before", "x with a reminder at 8", "x ping me at 8",
		"x 9-5 monday", "x from 9 to 5 on friday", "x pages 10-12 tomorrow", "x 3-1 tomorrow",
		"x 30 days before dec 31", "x 999 years before monday", "x 2 months after the 31st",
		"watch \"Friday Night Lights\" tomorrow", "x \u201cmonday\u201d 9am", "x \" tomorrow", "\"\"", "x \"\" every day",
		"taxes by april", "x before april", "x in december", "x by feb 30", "concert friday", "x movie night",
		"x friday 9am with reminders 1 day and 1 hour before", "x with alerts at 8 and 9", "x with alarms",
		"x on christmas eve at 8pm", "x by new year's day", "x every day until xmas", "x by COB friday", "x sometime next week",
		"x at 2 euros", "x at 8 and 20 every day", "daily x notes tomorrow", "x monday 9", "plan black friday sale", "x !p1",
		"webinar thursday 6pm EST", "x 9am PT daily", "x 3pm CT scan", "x 9-10am GMT tomorrow remind me at 8am", "x at 8am and 8pm AEDT every day",
	} {
		f.Add(s, int64(1772809200), uint8(1))
	}
	f.Add("x every year on feb 29 at 0:00", int64(253402214400), uint8(5))
	f.Add("x tomorrow", int64(0), uint8(0))
	f.Add("x remind 1970-01-01", int64(1772809200), uint8(7)) // 09:00 on 1 January 1970 in Chatham is before 1970 in UTC
	f.Fuzz(func(t *testing.T, text string, unix int64, zone uint8) {
		loc, err := time.LoadLocation(fuzzZones[int(zone)%len(fuzzZones)])
		if err != nil {
			t.Fatal(err)
		}
		// Presents from 1970 to 9998, as due dates may be.
		now := time.Unix(unix%(253370764800-1)+1, 0)
		if now.Before(time.Unix(0, 0)) {
			now = time.Unix(-unix%253370764800, 0)
		}
		res, err := quickadd.Parse(text, now, loc)
		if err != nil {
			if taskwire.ErrorCode(err) != taskwire.EINVALID || taskwire.ErrorField(err) != "text" {
				t.Fatalf("Parse(%q) at %v in %s: got error %v, want an invalid text", text, now, loc, err)
			}
			return
		}
		if _, err := res.Task.Fields(); err != nil {
			t.Fatalf("Parse(%q) at %v in %s: task %+v fails POST /v1/tasks validation: %v", text, now, loc, res.Task, err)
		}
		if strings.TrimSpace(res.Task.Title) == "" || strings.Contains(res.Task.Title, "  ") {
			t.Fatalf("Parse(%q): got title %q, want words separated by single spaces", text, res.Task.Title)
		}
		for _, fr := range res.Understood {
			if fr.Start < 0 || fr.End > len(text) || fr.Start >= fr.End || text[fr.Start:fr.End] != fr.Text || !utf8.ValidString(fr.Text) {
				t.Fatalf("Parse(%q): fragment %+v does not point into the text", text, fr)
			}
		}
	})
}
