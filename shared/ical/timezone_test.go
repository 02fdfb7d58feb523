package ical_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/teambition/rrule-go"

	"github.com/taskwire/taskwire/shared/ical"
)

// checkYears is how long after from the tests compare a VTIMEZONE with Go's zone.
const checkYears = 30

var froms = []time.Time{
	time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC),
	time.Date(2030, 11, 1, 0, 0, 0, 0, time.UTC),
}

func TestWriter_Timezone(t *testing.T) {
	t.Parallel()
	t.Run("Zones", func(t *testing.T) {
		for _, name := range []string{
			"America/New_York", "Europe/Berlin", "Europe/London", "Europe/Dublin",
			"Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo",
			"Asia/Kolkata", "Asia/Tehran", "Africa/Casablanca", "America/Santiago",
			"Pacific/Apia", "America/St_Johns", "Asia/Kathmandu", "UTC",
			"Asia/Jerusalem", "America/Nuuk", "Africa/Cairo", "Asia/Gaza", "Europe/Moscow",
			"Pacific/Kiritimati", "America/Havana", "Antarctica/Troll", "Africa/Monrovia",
			"Etc/GMT+12", "America/Asuncion", "Pacific/Easter", "Europe/Lisbon",
		} {
			loc := mustLoad(t, name)
			t.Run(name, func(t *testing.T) {
				for _, from := range append(slices.Clone(froms),
					time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
					time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
					time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), // a European transition
					time.Date(2026, 1, 1, 0, 0, 0, 0, loc),
					// Past a zone's listed transitions Go computes its rule a year at a
					// time: ZoneBounds then also bounds periods at 1 January, and on
					// 31 December of a leap year ends a period where it began.
					time.Date(2047, 2, 1, 0, 0, 0, 0, time.UTC),
					time.Date(2048, 12, 31, 12, 0, 0, 0, time.UTC),
				) {
					checkTimezone(t, loc, from)
				}
			})
		}
	})

	t.Run("UTC", func(t *testing.T) {
		for _, loc := range []*time.Location{time.UTC, nil, time.FixedZone("UTC", 0)} {
			text := writeTimezone(t, loc, froms[1])
			vtz := mustParseTimezone(t, text)
			assert.Equal(t, "UTC", vtz.tzid)
			require.Len(t, vtz.observances, 1)
			o := vtz.observances[0]
			assert.Equal(t, "STANDARD", o.component)
			assert.Equal(t, 0, o.from)
			assert.Equal(t, 0, o.to)
			assert.Empty(t, o.rrule)
		}
	})

	t.Run("Example", func(t *testing.T) {
		got := writeTimezone(t, mustLoad(t, "Europe/Berlin"), time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC))
		assert.Equal(t, strings.Join([]string{
			"BEGIN:VTIMEZONE",
			"TZID:Europe/Berlin",
			"BEGIN:DAYLIGHT",
			"DTSTART:20260329T020000",
			"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
			"TZOFFSETFROM:+0100",
			"TZOFFSETTO:+0200",
			"TZNAME:CEST",
			"END:DAYLIGHT",
			"BEGIN:STANDARD",
			"DTSTART:20261025T030000",
			"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
			"TZOFFSETFROM:+0200",
			"TZOFFSETTO:+0100",
			"TZNAME:CET",
			"END:STANDARD",
			"END:VTIMEZONE",
			"",
		}, "\r\n"), got)
	})

	t.Run("Compact", func(t *testing.T) {
		from := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
		for _, tt := range []struct {
			zone  string
			rules []string // the RRULEs, in order; "" for an observance without one
		}{
			{"Europe/Berlin", []string{"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}},
			{"Europe/London", []string{"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}},
			{"America/New_York", []string{"FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"}},
			{"America/St_Johns", []string{"FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"}},
			{"Australia/Sydney", []string{"FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}},
			{"Australia/Lord_Howe", []string{"FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}},
			{"Pacific/Chatham", []string{"FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU"}},
			{"America/Santiago", []string{"FREQ=YEARLY;BYMONTH=9;BYDAY=SU;BYMONTHDAY=2,3,4,5,6,7,8", "FREQ=YEARLY;BYMONTH=4;BYDAY=SU;BYMONTHDAY=2,3,4,5,6,7,8"}},
			{"Asia/Jerusalem", []string{"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29"}},
			{"Europe/Dublin", []string{"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}},
			{"Asia/Kolkata", []string{""}},
			{"Asia/Kathmandu", []string{""}},
			{"Asia/Tehran", []string{""}},
			{"America/Sao_Paulo", []string{""}},
			{"Pacific/Apia", []string{""}},
			{"UTC", []string{""}},
		} {
			t.Run(tt.zone, func(t *testing.T) {
				vtz := mustParseTimezone(t, writeTimezone(t, mustLoad(t, tt.zone), from))
				var rules []string
				for _, o := range vtz.observances {
					rules = append(rules, o.rrule)
				}
				assert.Equal(t, tt.rules, rules)
			})
		}
	})

	t.Run("FixedZone", func(t *testing.T) {
		for _, tt := range []struct {
			from time.Time
			want string
		}{
			{froms[1], "19700101T000000"},
			{time.Date(1960, 5, 1, 0, 0, 0, 0, time.UTC), "19600101T000000"},
		} {
			vtz := mustParseTimezone(t, writeTimezone(t, time.FixedZone("+0530", 19800), tt.from))
			require.Len(t, vtz.observances, 1)
			assert.Equal(t, tt.want, vtz.observances[0].dtstart.Format("20060102T150405"))
			checkTimezone(t, time.FixedZone("+0530", 19800), tt.from)
		}
	})

	t.Run("DSTEnded", func(t *testing.T) {
		// Iran kept daylight saving time until September 2022: one observance of no
		// change, starting where it ended (00:00 in +0430 is 23:00 in +0330).
		vtz := mustParseTimezone(t, writeTimezone(t, mustLoad(t, "Asia/Tehran"), froms[1]))
		require.Len(t, vtz.observances, 1)
		o := vtz.observances[0]
		assert.Equal(t, "STANDARD", o.component)
		assert.Equal(t, "20220921T230000", o.dtstart.Format("20060102T150405"))
		assert.Equal(t, 12600, o.from)
		assert.Equal(t, 12600, o.to)
	})

	t.Run("SecondsOffset", func(t *testing.T) {
		// Monrovia kept -0:44:30 until 1972.
		vtz := mustParseTimezone(t, writeTimezone(t, mustLoad(t, "Africa/Monrovia"), froms[0].AddDate(-30, 0, 0)))
		assert.Contains(t, vtz.text, "TZOFFSETFROM:-004430\r\n")
	})
}

// TestWriter_Timezone_AllZones checks the VTIMEZONE of every zone in Go's own zone
// database, read from its zip file rather than from the system's. The zones are shared
// among a few parallel subtests, one per CPU, so that the race detector's cost stays
// bearable.
func TestWriter_Timezone_AllZones(t *testing.T) {
	t.Parallel()
	path := filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no zone database at %s: %v", path, err)
	}
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = zr.Close() })

	var zones []*time.Location
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		loc, err := time.LoadLocationFromTZData(f.Name, data)
		require.NoError(t, err, "zone %s", f.Name)
		zones = append(zones, loc)
	}
	require.Greater(t, len(zones), 300, "the zip holds the zone database")

	shards := min(runtime.GOMAXPROCS(0), 4)
	for shard := range shards {
		t.Run("Shard"+strconv.Itoa(shard), func(t *testing.T) {
			t.Parallel()
			for i := shard; i < len(zones); i += shards {
				loc := zones[i]
				t.Run(loc.String(), func(t *testing.T) {
					for _, from := range froms {
						checkTimezone(t, loc, from)
					}
				})
			}
		})
	}
}

// checkTimezone writes loc's VTIMEZONE from from, parses it back, and checks that it gives
// the offset and abbreviation Go gives at every transition in the checkYears after from
// (a second and an hour either side, too) and twice a month.
func checkTimezone(tb testing.TB, loc *time.Location, from time.Time) {
	tb.Helper()
	text := writeTimezone(tb, loc, from)
	vtz := mustParseTimezone(tb, text)
	require.Equal(tb, loc.String(), vtz.tzid)

	end := from.AddDate(checkYears, 0, 0)
	onsets := vtz.expand(tb, end.Add(48*time.Hour))
	require.NotEmpty(tb, onsets)
	require.False(tb, onsets[0].at.After(from), "the first observance starts at or before from %v, not at %v\n%s", from, onsets[0].at, text)

	for _, at := range samples(from, end, loc) {
		// Plain comparisons here and below: testify's cost per call adds up to
		// seconds over the whole zone database.
		i := sort.Search(len(onsets), func(i int) bool { return onsets[i].at.After(at) }) - 1
		if i < 0 {
			tb.Fatalf("%s from %v: no observance for %v\n%s", loc, from, at, text)
		}
		o := onsets[i]
		name, offset := at.In(loc).Zone()
		if o.to != offset || o.name != name {
			tb.Fatalf("%s from %v: at %v the VTIMEZONE says %s %s (observance from %v), Go says %s %s\n%s",
				loc, from.Format(time.RFC3339), at.UTC().Format(time.RFC3339), o.name, formatOffset(o.to),
				o.at.UTC().Format(time.RFC3339), name, formatOffset(offset), text)
		}
		if !o.fixed {
			wantKind := "STANDARD"
			if at.In(loc).IsDST() {
				wantKind = "DAYLIGHT"
			}
			if o.component != wantKind {
				tb.Fatalf("%s from %v: at %v the observance is %s, want %s\n%s", loc, from, at, o.component, wantKind, text)
			}
		}
	}
}

// samples returns instants from from to end where a VTIMEZONE may go wrong: every
// transition of loc, a second and an hour before and after it, and noon UTC on the 1st
// and 15th of every month.
func samples(from, end time.Time, loc *time.Location) []time.Time {
	ts := []time.Time{from}
	t := from.In(loc)
	for t.Before(end) {
		_, next := t.ZoneBounds()
		if next.IsZero() {
			break
		}
		if !next.After(t) { // Go's bounds stall on 31 December of some leap years
			t = t.Add(time.Hour)
			continue
		}
		n1, o1 := t.Zone()
		if n2, o2 := next.Zone(); n1 != n2 || o1 != o2 || t.IsDST() != next.IsDST() {
			ts = append(ts, next, next.Add(-time.Second), next.Add(time.Second),
				next.Add(-time.Hour), next.Add(time.Hour))
		}
		t = next
	}
	for d := time.Date(from.Year(), from.Month(), 1, 12, 0, 0, 0, time.UTC); d.Before(end); d = d.AddDate(0, 1, 0) {
		ts = append(ts, d, d.AddDate(0, 0, 14))
	}
	var kept []time.Time
	for _, t := range ts {
		if !t.Before(from) && t.Before(end) {
			kept = append(kept, t)
		}
	}
	return kept
}

func writeTimezone(tb testing.TB, loc *time.Location, from time.Time) string {
	tb.Helper()
	var buf bytes.Buffer
	w := ical.NewWriter(&buf)
	w.Timezone(loc, from)
	require.NoError(tb, w.Flush())
	return buf.String()
}

// vtimezone is a parsed VTIMEZONE.
type vtimezone struct {
	text        string
	tzid        string
	observances []observance
}

// observance is a parsed STANDARD or DAYLIGHT component.
type observance struct {
	component string
	dtstart   time.Time // the wall clock, in UTC's location
	rrule     string
	from, to  int // offsets in seconds
	name      string
}

// onset is an instant where an observance begins to apply.
type onset struct {
	at        time.Time
	component string
	to        int
	name      string
	fixed     bool // the observance changes no offset
}

// mustParseTimezone parses text, which must be one folded VTIMEZONE component and nothing
// else. It checks with plain comparisons, which cost far less than testify's on the whole
// zone database.
func mustParseTimezone(tb testing.TB, text string) vtimezone {
	tb.Helper()
	lines := mustFoldedLines(tb, text)
	if len(lines) < 3 || lines[0] != "BEGIN:VTIMEZONE" || lines[len(lines)-1] != "END:VTIMEZONE" {
		tb.Fatalf("not one VTIMEZONE:\n%s", text)
	}
	vtz := vtimezone{text: text}
	var cur *observance
	seen := map[string]bool{}
	for _, line := range lines[1 : len(lines)-1] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.Contains(name, ";") {
			tb.Fatalf("content line %q: want NAME:value, no parameters in a VTIMEZONE", line)
		}
		switch {
		case name == "BEGIN":
			if cur != nil || value != "STANDARD" && value != "DAYLIGHT" {
				tb.Fatalf("%s: want STANDARD or DAYLIGHT, not nested\n%s", line, text)
			}
			cur = &observance{component: value}
			clear(seen)
		case name == "END":
			if cur == nil || value != cur.component {
				tb.Fatalf("%s ends no open observance\n%s", line, text)
			}
			for _, p := range []string{"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"} {
				if !seen[p] {
					tb.Fatalf("observance without %s\n%s", p, text)
				}
			}
			vtz.observances = append(vtz.observances, *cur)
			cur = nil
		case cur == nil:
			if name != "TZID" || vtz.tzid != "" || len(vtz.observances) > 0 {
				tb.Fatalf("%s: want one TZID before the observances\n%s", line, text)
			}
			vtz.tzid = unescapeText(tb, value)
		default:
			if seen[name] {
				tb.Fatalf("%s twice in one observance\n%s", name, text)
			}
			seen[name] = true
			switch name {
			case "DTSTART":
				t, err := time.Parse("20060102T150405", value)
				if err != nil {
					tb.Fatalf("DTSTART %q is no local DATE-TIME: %v", value, err)
				}
				cur.dtstart = t
			case "TZOFFSETFROM":
				cur.from = mustParseOffset(tb, value)
			case "TZOFFSETTO":
				cur.to = mustParseOffset(tb, value)
			case "TZNAME":
				cur.name = unescapeText(tb, value)
			case "RRULE":
				cur.rrule = value
			default:
				tb.Fatalf("unexpected property %q\n%s", line, text)
			}
		}
	}
	if cur != nil || vtz.tzid == "" || len(vtz.observances) == 0 {
		tb.Fatalf("an observance left open, no TZID or no observance\n%s", text)
	}
	return vtz
}

// expand returns the onsets of all observances up to end, in order. Each is expanded on
// its own, as a client would: DTSTART's wall clock in TZOFFSETFROM, and an RRULE run by
// the rule library on the wall clock, its UNTIL (in UTC) made a wall clock the same way.
func (vtz vtimezone) expand(tb testing.TB, end time.Time) []onset {
	tb.Helper()
	var onsets []onset
	for _, o := range vtz.observances {
		from := time.Duration(o.from) * time.Second
		walls := []time.Time{o.dtstart}
		if o.rrule != "" && o.dtstart.Before(end.Add(from)) {
			opt, err := rrule.StrToROption(o.rrule)
			require.NoError(tb, err, "RRULE:%s", o.rrule)
			require.Equal(tb, rrule.YEARLY, opt.Freq)
			require.Zero(tb, opt.Count, "no COUNT")
			opt.Dtstart = o.dtstart
			if !opt.Until.IsZero() {
				opt.Until = opt.Until.UTC().Add(from)
			}
			r, err := rrule.NewRRule(*opt)
			require.NoError(tb, err)
			walls = r.Between(o.dtstart, end.Add(from), true)
			require.GreaterOrEqual(tb, len(walls), 1, "RRULE:%s from %v has occurrences", o.rrule, o.dtstart)
			require.Equal(tb, o.dtstart, walls[0], "DTSTART is the first occurrence of RRULE:%s", o.rrule)
			if !opt.Until.IsZero() && opt.Until.Before(end) {
				require.Equal(tb, opt.Until, walls[len(walls)-1], "UNTIL is the last occurrence of RRULE:%s", o.rrule)
			}
		}
		for _, wall := range walls {
			onsets = append(onsets, onset{
				at:        wall.Add(-from),
				component: o.component,
				to:        o.to,
				name:      o.name,
				fixed:     o.from == o.to && o.rrule == "",
			})
		}
	}
	sort.SliceStable(onsets, func(i, j int) bool { return onsets[i].at.Before(onsets[j].at) })
	for i := 1; i < len(onsets); i++ {
		if onsets[i].at.Equal(onsets[i-1].at) {
			tb.Fatalf("two observances start at %v\n%s", onsets[i].at, vtz.text)
		}
	}
	return onsets
}

// mustParseOffset parses a UTC-OFFSET: ±hhmm or ±hhmmss, and not -0000.
func mustParseOffset(tb testing.TB, s string) int {
	tb.Helper()
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' || s == "-0000" || s == "-000000" {
		tb.Fatalf("bad UTC-OFFSET %q", s)
	}
	n := 0
	for i := 1; i < len(s); i += 2 {
		v, err := strconv.Atoi(s[i : i+2])
		if err != nil || v > 59 && i > 1 {
			tb.Fatalf("bad UTC-OFFSET %q", s)
		}
		n = n*60 + v
	}
	if len(s) == 5 {
		n *= 60
	}
	if s[0] == '-' {
		return -n
	}
	return n
}

func formatOffset(sec int) string {
	return time.Unix(0, 0).In(time.FixedZone("", sec)).Format("-07:00:00")
}
