package broker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/zone"
)

// TypePing is the type of a PingSource's events.
const TypePing = "dev.knative.sources.ping"

// pingNamespace makes PingSource event ids: the same source and minute always give the
// same id, so brokers that fire one tick together store one event.
var pingNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://taskwire.dev/broker/pingsource"))

// Schedule is a standard 5-field cron schedule (minute, hour, day of month, month, day of
// week) read in one time zone. Each field is *, a value, a range a-b, a list of these
// separated by commas, each optionally with a step /n; months and weekdays may be named
// (JAN, MON) and 7 is Sunday too. When both day fields are restricted, a day matching
// either one matches, as in cron. @yearly, @monthly, @weekly, @daily and @hourly stand
// for their usual schedules.
type Schedule struct {
	minute, hour, dom, month, dow uint64 // bit n set: value n matches
	domStar, dowStar              bool   // the field began with *
	loc                           *time.Location
}

// ParseSchedule parses spec in timezone, an IANA zone name (empty means UTC). A
// CRON_TZ=zone or TZ=zone prefix of spec, as Knative admits, overrides timezone.
func ParseSchedule(spec, timezone string) (*Schedule, error) {
	spec = strings.TrimSpace(spec)
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, prefix); ok {
			timezone, spec, _ = strings.Cut(rest, " ")
			spec = strings.TrimSpace(spec)
		}
	}
	loc := time.UTC
	if timezone != "" {
		var err error
		if loc, err = zone.Load(timezone); err != nil {
			return nil, fmt.Errorf("timezone %q: %w", timezone, err)
		}
	}
	if d, ok := scheduleDescriptors[spec]; ok {
		spec = d
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return nil, fmt.Errorf("schedule %q: %d fields; a cron schedule has 5 (minute hour day-of-month month day-of-week)", spec, len(fields))
	}
	s := &Schedule{loc: loc}
	var err error
	for _, f := range []struct {
		name   string
		text   string
		lo, hi int
		names  map[string]int
		bits   *uint64
	}{
		{"minute", fields[0], 0, 59, nil, &s.minute},
		{"hour", fields[1], 0, 23, nil, &s.hour},
		{"day of month", fields[2], 1, 31, nil, &s.dom},
		{"month", fields[3], 1, 12, monthNames, &s.month},
		{"day of week", fields[4], 0, 7, weekdayNames, &s.dow},
	} {
		if *f.bits, err = parseCronField(f.text, f.lo, f.hi, f.names); err != nil {
			return nil, fmt.Errorf("schedule %q: %s: %w", spec, f.name, err)
		}
	}
	if s.dow&(1<<7) != 0 { // 7 is Sunday too
		s.dow = s.dow&^(1<<7) | 1
	}
	s.domStar = strings.HasPrefix(fields[2], "*") || fields[2] == "?"
	s.dowStar = strings.HasPrefix(fields[4], "*") || fields[4] == "?"
	return s, nil
}

// Matches reports whether the minute of t, read in the schedule's time zone, is one the
// schedule fires at.
func (s *Schedule) Matches(t time.Time) bool {
	t = t.In(s.loc)
	has := func(bits uint64, v int) bool { return bits&(1<<uint(v)) != 0 }
	if !has(s.minute, t.Minute()) || !has(s.hour, t.Hour()) || !has(s.month, int(t.Month())) {
		return false
	}
	dom, dow := has(s.dom, t.Day()), has(s.dow, int(t.Weekday()))
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

var scheduleDescriptors = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

var monthNames = map[string]int{
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
	"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
}

var weekdayNames = map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}

// parseCronField returns the values field admits within [lo, hi] as bits.
func parseCronField(field string, lo, hi int, names map[string]int) (uint64, error) {
	value := func(s string) (int, error) {
		if n, ok := names[strings.ToUpper(s)]; ok {
			return n, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		if n < lo || n > hi {
			return 0, fmt.Errorf("%d is outside %d-%d", n, lo, hi)
		}
		return n, nil
	}
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		span, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
				return 0, fmt.Errorf("step %q is not a positive number", stepText)
			}
		}
		var from, to int
		switch a, b, isRange := strings.Cut(span, "-"); {
		case span == "*" || span == "?":
			from, to = lo, hi
		case isRange:
			var err error
			if from, err = value(a); err != nil {
				return 0, err
			}
			if to, err = value(b); err != nil {
				return 0, err
			}
			if from > to {
				return 0, fmt.Errorf("range %s runs backwards", span)
			}
		default:
			n, err := value(span)
			if err != nil {
				return 0, err
			}
			from, to = n, n
			if hasStep { // a/n means a-max/n
				to = hi
			}
		}
		for v := from; v <= to; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

// Tick fires the PingSources whose schedule matches the minute of now: each sends its
// event for that minute, whose id depends only on the source and the minute, so firing
// a minute again (here or in another broker process) stores nothing new. Run calls it
// at every minute; tests call it to fire schedules deterministically.
func (b *Broker) Tick(ctx context.Context, now time.Time) error {
	minute := now.Truncate(time.Minute)
	var errs []error
	for _, p := range b.pings {
		if !p.schedule.Matches(minute) {
			continue
		}
		e, err := pingEvent(p, minute)
		if err == nil {
			err = b.Send(ctx, e)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("ping source %s: %w", p.Name, err))
			continue
		}
		b.log.DebugContext(ctx, "ping source fired", "ping_source", p.Name, "minute", minute)
	}
	return errors.Join(errs...)
}

// pingEvent is p's event for minute, as Knative's PingSource makes it.
func pingEvent(p PingSource, minute time.Time) (event.Event, error) {
	e := event.New()
	e.SetID(uuid.NewSHA1(pingNamespace, []byte(p.Source()+" "+minute.UTC().Format(time.RFC3339))).String())
	e.SetType(TypePing)
	e.SetSource(p.Source())
	e.SetTime(minute.UTC())
	for k, v := range p.Extensions {
		e.SetExtension(k, v)
	}
	if p.Data != "" || p.ContentType != "" {
		if err := e.SetData(p.ContentType, []byte(p.Data)); err != nil {
			return e, fmt.Errorf("set data: %w", err)
		}
	}
	return e, nil
}

// runPings calls Tick at once, then at the start of every minute until ctx is done. The
// first call catches up a minute that passed while no broker ran: a process restarted
// at 12:05:20 would otherwise leave a reminder due at 12:05:35 to the 12:06 tick. A
// minute that was fired already is one event (its id is the minute's), and a broker
// that died while delivering it delivers it again.
func (b *Broker) runPings(ctx context.Context) {
	if err := b.Tick(ctx, b.now()); err != nil && ctx.Err() == nil {
		b.log.ErrorContext(ctx, "ping sources", "err", err)
	}
	for {
		now := b.now()
		next := now.Truncate(time.Minute).Add(time.Minute)
		timer := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if err := b.Tick(ctx, next); err != nil && ctx.Err() == nil {
			b.log.ErrorContext(ctx, "ping sources", "err", err)
		}
	}
}
