package host

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// EventHandler is the logic of an event function: HandleEvent(ctx, event) returning an
// optional reply event. The event functions are HTTP functions (invoke: http) whose
// Handle checks the delivery and then calls EventHTTPHandler on themselves; the whole app
// calls HandleEvent in process.
type EventHandler interface {
	HandleEvent(ctx context.Context, e event.Event) (*event.Event, error)
}

// EventHTTPHandler answers a CloudEvent delivered over HTTP the way a Knative subscriber
// answers a Broker: an event in binary or structured mode in; 200 with the reply event in
// binary mode, or 202 without one. A malformed event is 400 and an error is a problem
// whose status tells the broker what to do: 4xx (bad data) goes to the dead letters,
// anything else is retried.
func EventHTTPHandler(h EventHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeProblem(w, http.StatusMethodNotAllowed, "CloudEvents are delivered with POST")
			return
		}
		e, err := binding.ToEvent(r.Context(), cehttp.NewMessageFromHttpRequest(r))
		if err == nil {
			err = e.Validate()
		}
		if err != nil {
			problem.Write(w, r, taskwire.Errorf(taskwire.EMALFORMED, "the request is not a valid CloudEvent: %v", err))
			return
		}
		reply, err := h.HandleEvent(r.Context(), *e)
		if err != nil {
			if taskwire.ErrorCode(err) != taskwire.EINTERNAL {
				slog.WarnContext(r.Context(), "event refused", "type", e.Type(), "id", e.ID(), "err", err)
			}
			problem.Write(w, r, err)
			return
		}
		if reply == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		if err := cehttp.WriteResponseWriter(r.Context(), binding.ToMessage(reply), http.StatusOK, w); err != nil {
			slog.ErrorContext(r.Context(), "write reply event", "err", fmt.Errorf("write reply: %w", err))
		}
	}
}
