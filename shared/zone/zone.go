// Package zone loads IANA time zones by name, each once per process.
package zone

import (
	"sync"
	"time"
)

// loaded holds the zones loaded so far, by name. Only names that load are kept, so it
// holds at most the zone database's few hundred zones, whatever names requests carry.
var loaded sync.Map // string → *time.Location

// Load returns the zone named name, as time.LoadLocation does ("" and "UTC" are UTC),
// reading the zone database only the first time a name is asked for: time.LoadLocation
// reads it on every call, which cost a twentieth of the tasks function's CPU under load.
func Load(name string) (*time.Location, error) {
	if loc, ok := loaded.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	loaded.Store(name, loc)
	return loc, nil
}
