package ical_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/ical"
)

func TestWriter_Line(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var buf bytes.Buffer
		w := ical.NewWriter(&buf)
		w.Line("BEGIN", "VCALENDAR")
		w.Line("DTSTART", "20261203T090000", "TZID=Europe/Berlin", "VALUE=DATE-TIME")
		w.Line("END", "VCALENDAR")
		require.NoError(t, w.Flush())
		assert.Equal(t, "BEGIN:VCALENDAR\r\n"+
			"DTSTART;TZID=Europe/Berlin;VALUE=DATE-TIME:20261203T090000\r\n"+
			"END:VCALENDAR\r\n", buf.String())
	})

	t.Run("Fold", func(t *testing.T) {
		var buf bytes.Buffer
		w := ical.NewWriter(&buf)
		w.Line("SUMMARY", strings.Repeat("a", 80))
		require.NoError(t, w.Flush())
		assert.Equal(t, "SUMMARY:"+strings.Repeat("a", 67)+"\r\n "+strings.Repeat("a", 13)+"\r\n",
			buf.String(), "75 octets on the first line, the rest after one space")
	})

	t.Run("FoldExactly75", func(t *testing.T) {
		var buf bytes.Buffer
		w := ical.NewWriter(&buf)
		w.Line("SUMMARY", strings.Repeat("a", 75-len("SUMMARY:")))
		require.NoError(t, w.Flush())
		assert.Equal(t, "SUMMARY:"+strings.Repeat("a", 67)+"\r\n", buf.String(), "75 octets fit on one line")
	})

	t.Run("FoldUTF8", func(t *testing.T) {
		for _, tt := range []struct {
			name, unit string
		}{
			{"ASCII", "x"},
			{"TwoOctets", "é"},
			{"ThreeOctets", "日本"},
			{"FourOctets", "😀"},
			{"Mixed", "aé日😀"},
			{"Combining", "e\u0301"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				// Shifting the value by up to three octets puts a fold at every position
				// inside a sequence.
				for shift := range 4 {
					for _, n := range []int{1, 10, 37, 100, 400} {
						value := strings.Repeat("-", shift) + strings.Repeat(tt.unit, n)
						var buf bytes.Buffer
						w := ical.NewWriter(&buf)
						w.Line("DESCRIPTION", value, "LANGUAGE=ja")
						require.NoError(t, w.Flush())
						name, params, got := parseLine(t, mustFoldedLines(t, buf.String()))
						assert.Equal(t, "DESCRIPTION", name)
						assert.Equal(t, []string{"LANGUAGE=ja"}, params)
						assert.Equal(t, value, got, "unfolding gives the value back (shift %d, %d units)", shift, n)
					}
				}
			})
		}
	})

	t.Run("Empty", func(t *testing.T) {
		var buf bytes.Buffer
		w := ical.NewWriter(&buf)
		w.Line("X-EMPTY", "")
		require.NoError(t, w.Flush())
		assert.Equal(t, "X-EMPTY:\r\n", buf.String())
	})
}

func TestWriter_Text(t *testing.T) {
	var buf bytes.Buffer
	w := ical.NewWriter(&buf)
	w.Text("SUMMARY", "Buy milk, eggs; bread\\butter\nand jam", "LANGUAGE=en")
	w.TextList("CATEGORIES", []string{"home", "a,b", "c;d"})
	w.TextList("CATEGORIES", nil)
	require.NoError(t, w.Flush())
	assert.Equal(t, "SUMMARY;LANGUAGE=en:Buy milk\\, eggs\\; bread\\\\butter\\nand jam\r\n"+
		"CATEGORIES:home,a\\,b,c\\;d\r\n"+
		"CATEGORIES:\r\n", buf.String())

	t.Run("LongRoundTrip", func(t *testing.T) {
		var buf bytes.Buffer
		w := ical.NewWriter(&buf)
		value := strings.Repeat("Ünïcödé, ; \\ 日本語 😀\n", 20)
		w.Text("DESCRIPTION", value)
		require.NoError(t, w.Flush())
		_, _, got := parseLine(t, mustFoldedLines(t, buf.String()))
		assert.Equal(t, value, unescapeText(t, got))
	})
}

func TestEscapeText(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"Plain", "Call Bob", "Call Bob"},
		{"Empty", "", ""},
		{"Comma", "a,b", `a\,b`},
		{"Semicolon", "a;b", `a\;b`},
		{"Backslash", `a\b`, `a\\b`},
		{"BackslashN", `a\nb`, `a\\nb`},
		{"Newline", "a\nb", `a\nb`},
		{"CRLF", "a\r\nb", `a\nb`},
		{"LoneCR", "a\rb", `a\nb`},
		{"CRCRLF", "a\r\r\nb", `a\n\nb`},
		{"Tab", "a\tb", "a\tb"},
		{"Colon", "a:b", "a:b"},
		{"Quote", `a"b`, `a"b`},
		{"Controls", "a\x00b\x07c\x1bd\x7fe\x1f", "abcde"},
		{"Unicode", "Café, 日本", `Café\, 日本`},
		{"InvalidUTF8", "a\xffb", "a\uFFFDb"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ical.EscapeText(tt.in))
		})
	}

	t.Run("RoundTrip", func(t *testing.T) {
		for _, s := range []string{
			"",
			"plain text",
			`\,;:"`,
			`\\\n`,
			"line one\nline two\n",
			"trailing backslash\\",
			"a,b;c\\d\ne",
			"日本語, 😀; é\\",
			strings.Repeat(",;\\\n", 50),
		} {
			assert.Equal(t, s, unescapeText(t, ical.EscapeText(s)), "unescape(EscapeText(%q))", s)
		}
	})

	t.Run("NewlinesBecomeLF", func(t *testing.T) {
		assert.Equal(t, "a\nb\nc\nd", unescapeText(t, ical.EscapeText("a\r\nb\rc\nd")))
	})

	t.Run("OnlySafeCharacters", func(t *testing.T) {
		var all strings.Builder
		for r := rune(0); r < 0x100; r++ {
			all.WriteRune(r)
		}
		got := ical.EscapeText(all.String())
		for i := 0; i < len(got); i++ {
			c := got[i]
			assert.False(t, c < 0x20 && c != '\t' || c == 0x7f, "control %#x left in %q", c, got)
		}
		assert.True(t, utf8.ValidString(got))
	})
}

func TestWriter_Flush(t *testing.T) {
	t.Run("ErrFirstWrite", func(t *testing.T) {
		first := errors.New("disk full")
		fw := &failingWriter{errs: []error{first, errors.New("later")}}
		w := ical.NewWriter(fw)
		for range 500 { // more than the buffer holds
			w.Line("SUMMARY", strings.Repeat("x", 60))
		}
		err := w.Flush()
		require.Error(t, err)
		assert.ErrorIs(t, err, first)
		assert.Contains(t, err.Error(), "write icalendar")
		assert.ErrorIs(t, w.Flush(), first, "Flush keeps returning the first error")
		assert.Equal(t, 1, fw.calls, "nothing is written after the first error")
	})

	t.Run("ErrOnFlush", func(t *testing.T) {
		first := errors.New("closed")
		w := ical.NewWriter(&failingWriter{errs: []error{first}})
		w.Line("BEGIN", "VCALENDAR")
		assert.ErrorIs(t, w.Flush(), first)
	})
}

func TestLocalTime(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	newYork := mustLoad(t, "America/New_York")
	for _, tt := range []struct {
		name string
		t    time.Time
		loc  *time.Location
		want string
	}{
		{"Winter", time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), berlin, "20261203T090000"},
		{"Summer", time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC), berlin, "20260701T090000"},
		{"OtherZone", time.Date(2026, 12, 3, 9, 0, 0, 0, berlin), newYork, "20261203T030000"},
		{"DayBefore", time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), newYork, "20251231T220000"},
		// 02:30 does not exist on 29 March 2026 in Berlin; Go reads it with the offset
		// before the gap, so it is 01:30 UTC, which is 03:30 summer time.
		{"Gap", time.Date(2026, 3, 29, 2, 30, 0, 0, berlin), berlin, "20260329T033000"},
		// 02:30 happens twice on 25 October 2026: the instants differ, the wall clock not.
		{"OverlapFirst", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), berlin, "20261025T023000"},
		{"OverlapSecond", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), berlin, "20261025T023000"},
		{"NilIsUTC", time.Date(2026, 12, 3, 9, 0, 0, 0, berlin), nil, "20261203T080000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ical.LocalTime(tt.t, tt.loc))
		})
	}
}

func TestUTCTime(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	assert.Equal(t, "20261203T080000Z", ical.UTCTime(time.Date(2026, 12, 3, 9, 0, 0, 0, berlin)))
	assert.Equal(t, "20260329T013000Z", ical.UTCTime(time.Date(2026, 3, 29, 2, 30, 0, 0, berlin)), "a time in the gap")
	assert.Equal(t, "20260101T000000Z", ical.UTCTime(time.Date(2026, 1, 1, 0, 0, 0, 999, time.UTC)), "fractions are dropped")
}

// failingWriter fails its writes with errs, one per call, then succeeds.
type failingWriter struct {
	errs  []error
	calls int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.calls++
	if len(w.errs) == 0 {
		return len(p), nil
	}
	err := w.errs[0]
	w.errs = w.errs[1:]
	return 0, err
}

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(tb, err, "load zone %s", name)
	return loc
}

// mustFoldedLines checks that s is content lines folded as RFC 5545 says (CRLF line ends,
// at most 75 octets a line, continuations starting with one space, no UTF-8 sequence
// split) and returns them unfolded.
func mustFoldedLines(tb testing.TB, s string) []string {
	tb.Helper()
	require.True(tb, strings.HasSuffix(s, "\r\n"), "the stream ends with CRLF")
	physical := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var lines []string
	for i, p := range physical {
		// Plain checks: this runs on every line of every zone's VTIMEZONE.
		switch {
		case strings.ContainsAny(p, "\r\n"):
			tb.Fatalf("line %d holds a lone CR or LF: %q", i, p)
		case len(p) > 75:
			tb.Fatalf("line %d is %d octets: %q", i, len(p), p)
		case !utf8.ValidString(p):
			tb.Fatalf("line %d splits a UTF-8 sequence: %q", i, p)
		case strings.HasPrefix(p, "\t"):
			tb.Fatalf("line %d: continuations start with a space: %q", i, p)
		case strings.HasPrefix(p, " "):
			if len(lines) == 0 || len(p) == 1 {
				tb.Fatalf("line %d is a continuation of nothing, or carries nothing: %q", i, p)
			}
			lines[len(lines)-1] += p[1:]
		default:
			lines = append(lines, p)
		}
	}
	return lines
}

// parseLine splits the single content line in lines into name, parameters and value.
func parseLine(tb testing.TB, lines []string) (name string, params []string, value string) {
	tb.Helper()
	require.Len(tb, lines, 1)
	head, value, ok := strings.Cut(lines[0], ":")
	require.True(tb, ok, "a content line has a colon: %q", lines[0])
	parts := strings.Split(head, ";")
	return parts[0], parts[1:], value
}

// unescapeText reverses EscapeText.
func unescapeText(tb testing.TB, s string) string {
	tb.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' || c == ';' {
			tb.Fatalf("unescaped %q at %d in %q", c, i, s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		require.Less(tb, i+1, len(s), "a lone backslash ends %q", s)
		i++
		switch s[i] {
		case '\\', ';', ',':
			b.WriteByte(s[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			tb.Fatalf("bad escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func TestDate(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	at := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	assert.Equal(t, "20261203", ical.Date(at))
	assert.Equal(t, "20261204", ical.Date(at.In(tokyo)), "the date in the zone")
}
