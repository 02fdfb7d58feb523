// Package ical writes iCalendar (RFC 5545) streams: content lines folded and escaped as the
// RFC says, and VTIMEZONE components built from Go's time zone database.
//
// It holds the syntax, not the calendar: callers write BEGIN/END lines and the properties
// of their VCALENDAR, VEVENT and VTODO components themselves, and the package parses
// nothing.
package ical

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// maxOctets is the longest a content line may be, CRLF excluded (RFC 5545, 3.1).
const maxOctets = 75

// Writer writes the content lines of an iCalendar stream to an io.Writer; it keeps the
// first write error, which Flush returns.
type Writer struct {
	bw  *bufio.Writer
	err error
}

// NewWriter returns a Writer that writes to w through a buffer; call Flush when done.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriter(w)}
}

// Line writes one content line "NAME;PARAM1;PARAM2:value", value written as is (no
// escaping), lines ended with CRLF and folded so that no line exceeds 75 octets
// (continuation lines start with one space), never splitting a UTF-8 sequence. params are
// "KEY=VALUE" strings written as given.
func (w *Writer) Line(name, value string, params ...string) {
	if w.err != nil {
		return
	}
	var b strings.Builder
	n := len(name) + 1 + len(value)
	for _, p := range params {
		n += 1 + len(p)
	}
	b.Grow(n)
	b.WriteString(name)
	for _, p := range params {
		b.WriteByte(';')
		b.WriteString(p)
	}
	b.WriteByte(':')
	b.WriteString(value)
	w.write(fold(b.String()))
}

// Text writes a property of type TEXT: value escaped with EscapeText.
func (w *Writer) Text(name, value string, params ...string) {
	w.Line(name, EscapeText(value), params...)
}

// TextList writes a multi-valued TEXT property (CATEGORIES): each value escaped, joined by
// ",".
func (w *Writer) TextList(name string, values []string) {
	escaped := make([]string, len(values))
	for i, v := range values {
		escaped[i] = EscapeText(v)
	}
	w.Line(name, strings.Join(escaped, ","))
}

// Flush writes what is buffered and returns the first error of any write.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("write icalendar: %w", err)
	}
	return w.err
}

// write writes s unless an earlier write failed, and keeps the first error.
func (w *Writer) write(s string) {
	if w.err != nil {
		return
	}
	if _, err := w.bw.WriteString(s); err != nil {
		w.err = fmt.Errorf("write icalendar: %w", err)
	}
}

// fold ends line with CRLF, breaking it first into pieces of at most maxOctets octets, each
// piece after the first starting with a space that counts toward its length. A break
// never falls inside a UTF-8 sequence; only a run of more than three bytes that start no
// rune (which is no UTF-8) is cut where the length says.
func fold(line string) string {
	if len(line) <= maxOctets {
		return line + "\r\n"
	}
	var b strings.Builder
	b.Grow(len(line) + 3*(len(line)/(maxOctets-1)+1))
	limit := maxOctets
	for len(line) > limit {
		cut := limit
		for cut > limit-utf8.UTFMax && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if !utf8.RuneStart(line[cut]) {
			cut = limit
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxOctets - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// EscapeText escapes a TEXT value: backslash, semicolon, comma as \\ \; \, and newlines
// (\n, \r\n, lone \r) as \n. Control characters other than tab that iCalendar TEXT cannot
// hold (U+0000–U+001F except HTAB, and U+007F) are dropped, and bytes that are not UTF-8
// become U+FFFD, since an iCalendar stream is UTF-8.
func EscapeText(s string) string {
	if !needsEscape(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteByte(c)
		default:
			if c < 0x20 || c == 0x7f {
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// needsEscape reports whether EscapeText has anything to change in s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == ';' || c == ',' || c == 0x7f || c < 0x20 && c != '\t' {
			return true
		}
	}
	return !utf8.ValidString(s)
}

// LocalTime formats t's wall clock in loc as a DATE-TIME with local time:
// "20261203T090000". A nil loc is UTC.
func LocalTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("20060102T150405")
}

// UTCTime formats t as a DATE-TIME in UTC: "20261203T080000Z".
func UTCTime(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// Date formats t's date, as t's own fields have it, as a DATE: "20261203". The date of an
// instant in a zone is Date(t.In(loc)).
func Date(t time.Time) string {
	return t.Format("20060102")
}
