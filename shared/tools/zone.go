package tools

import (
	"context"
	"encoding/json"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// zoneTools builds the tool that sets the user's time zone.
func zoneTools(users Users) []Tool {
	return []Tool{{
		Name: "set_time_zone",
		Description: "Set the user's time zone, an IANA name such as America/New_York, when they say where they " +
			"are (\"I'm in Tokyo this week\", \"I moved to Lisbon\"). Their open tasks in the old zone come along at " +
			"the same local times (09:00 stays 09:00, an all-day task keeps its day); tasks they put in another zone " +
			"stay. Returns time_zone.",
		Parameters: json.RawMessage(zoneSchema),
		run: func(ctx context.Context, args json.RawMessage) (any, error) {
			var in struct {
				TimeZone json.RawMessage `json:"time_zone"`
			}
			if err := taskwire.DecodeJSON(args, &in); err != nil {
				return nil, err
			}
			if len(in.TimeZone) == 0 || string(in.TimeZone) == "null" {
				return nil, taskwire.FieldErrorf(taskwire.EINVALID, "time_zone", "time_zone is required: an IANA time zone such as Europe/Berlin")
			}
			patch, err := json.Marshal(map[string]json.RawMessage{"time_zone": in.TimeZone})
			if err != nil {
				return nil, err
			}
			me, err := users.UpdateMe(ctx, patch)
			if err != nil {
				return nil, err
			}
			return struct {
				TimeZone string `json:"time_zone"`
			}{me.TimeZone}, nil
		},
	}}
}

// zoneSchema is the argument schema of set_time_zone.
const zoneSchema = `{"type": "object", "properties": {
	"time_zone": {"type": "string", "description": "An IANA time zone, e.g. Europe/Berlin."}},
	"required": ["time_zone"], "additionalProperties": false}`
