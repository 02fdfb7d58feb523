// Command methodbyname is a small program that links what every Taskwire binary links,
// the CloudEvents SDK, and calls reflect.Type.MethodByName through the interface with a
// constant name, as openai-go's decoder does. Go's linker then keeps, of the methods a
// program does not call, only those of that name; linker_test.go reads its symbols to
// see that it did.
package main

import (
	"fmt"
	"reflect"

	"github.com/cloudevents/sdk-go/v2/event"
)

// note has an exported method the program calls by name and one it never calls.
type note struct{ text string }

// Default is looked up by name, as openai-go looks up its union variants' Default.
func (n note) Default() string { return n.text }

// Unreached is called by nothing.
func (n note) Unreached() string { return n.text + "!" }

func main() {
	ev := event.New()
	ev.SetType("methodbyname")
	m, ok := defaultOf(reflect.TypeOf(note{text: "hello"}))
	fmt.Println(ev.Type(), ok, m.Name)
}

// defaultOf looks Default up on t through the reflect.Type interface, as openai-go does.
// It stays out of line: inlined into main, where the compiler sees t's concrete type, the
// call would be a direct one and the linker would have nothing to prune by.
//
//go:noinline
func defaultOf(t reflect.Type) (reflect.Method, bool) {
	return t.MethodByName("Default")
}
