package quickadd

import (
	"slices"
	"strings"

	"github.com/taskwire/taskwire/shared/zone"
)

// zoneName is what an abbreviation typed after a time of day ("6pm EST") stands for: the
// zone whose clock it names, and the abbreviations that zone goes by.
type zoneName struct {
	zone string // an IANA zone
	// names are the abbreviations (as time.Time.Zone gives them) under which a user's own
	// zone keeps this clock: the zone's own, winter and summer, and GMT for UTC.
	names []string
}

// The zones read after a time of day, by the abbreviations people write them with. Each
// stands for the clock of a place, DST and all: "EST" in July is New York's 18:00, as
// people who write it mean. CST is the American Central zone, IST India's and BST
// Britain's summer. Those of two letters are read only as typed, in capitals ("9am PT",
// not "9am pt with Ann"), and only where the phrase ends or a date or rule follows, as
// "3pm CT scan" says a scan.
var zoneNames = map[string]zoneName{
	"et": eastern, "est": eastern, "edt": eastern,
	"ct": central, "cst": central, "cdt": central,
	"mt": mountain, "mst": mountain, "mdt": mountain,
	"pt": pacific, "pst": pacific, "pdt": pacific,
	"akst": alaska, "akdt": alaska,
	"hst": {"Pacific/Honolulu", []string{"HST"}},
	"utc": utc, "gmt": utc,
	"bst": {"Europe/London", []string{"GMT", "BST"}},
	"wet": western, "west": western,
	"cet": centralEurope, "cest": centralEurope,
	"eet": easternEurope, "eest": easternEurope,
	"msk":  {"Europe/Moscow", []string{"MSK"}},
	"ist":  {"Asia/Kolkata", []string{"IST"}},
	"sgt":  {"Asia/Singapore", []string{"+08"}},
	"hkt":  {"Asia/Hong_Kong", []string{"HKT"}},
	"jst":  {"Asia/Tokyo", []string{"JST"}},
	"kst":  {"Asia/Seoul", []string{"KST"}},
	"aest": sydney, "aedt": sydney,
	"acst": adelaide, "acdt": adelaide,
	"awst": {"Australia/Perth", []string{"AWST"}},
	"nzst": newZealand, "nzdt": newZealand,
}

// The zones that several abbreviations of zoneNames stand for.
var (
	eastern       = zoneName{"America/New_York", []string{"EST", "EDT"}}
	central       = zoneName{"America/Chicago", []string{"CST", "CDT"}}
	mountain      = zoneName{"America/Denver", []string{"MST", "MDT"}}
	pacific       = zoneName{"America/Los_Angeles", []string{"PST", "PDT"}}
	alaska        = zoneName{"America/Anchorage", []string{"AKST", "AKDT"}}
	utc           = zoneName{"UTC", []string{"UTC", "GMT"}}
	western       = zoneName{"Europe/Lisbon", []string{"WET", "WEST"}}
	centralEurope = zoneName{"Europe/Berlin", []string{"CET", "CEST"}}
	easternEurope = zoneName{"Europe/Athens", []string{"EET", "EEST"}}
	sydney        = zoneName{"Australia/Sydney", []string{"AEST", "AEDT"}}
	adelaide      = zoneName{"Australia/Adelaide", []string{"ACST", "ACDT"}}
	newZealand    = zoneName{"Pacific/Auckland", []string{"NZST", "NZDT"}}
)

// zoneAt reads a zone's abbreviation at word k, right after a time of day, and returns
// how many words it took (0 or 1). The line's times are then that zone's (see Parse). A
// user whose own zone goes by the abbreviation keeps it: "6pm CET" typed in Paris stays
// in Europe/Paris.
func (p *parser) zoneAt(k int) int {
	z, ok := zoneNames[p.word(k)]
	if !ok {
		return 0
	}
	if typed := p.text[p.toks[k].start:p.toks[k].end]; len(typed) == 2 && (typed != strings.ToUpper(typed) || !p.readNext(k+1)) {
		return 0
	}
	own, _ := p.now.Zone()
	if p.loc.String() == z.zone || slices.Contains(z.names, own) {
		p.zone = p.loc
		return 1
	}
	loc, err := zone.Load(z.zone)
	if err != nil {
		return 0
	}
	p.zone = loc
	return 1
}

// readNext reports whether the phrase ends at word k or goes on with a date or a repeat
// rule: "9am PT", "9am PT tomorrow", "9am PT daily".
func (p *parser) readNext(k int) bool {
	if p.phraseEnds(k) || p.dateNext(k) {
		return true
	}
	_, _, n := p.ruleAt(k)
	return n > 0
}
