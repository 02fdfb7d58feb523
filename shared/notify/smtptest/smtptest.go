// Package smtptest runs a small SMTP server for tests: it speaks enough of RFC 5321 for
// net/smtp (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message
// it accepts, and can be told to refuse mail for a while. It holds no test cases.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one message the server accepted.
type Message struct {
	From string   // the envelope sender (MAIL FROM)
	To   []string // the envelope recipients (RCPT TO)
	User string   // the user that authenticated, if any
	Data []byte   // the message as sent, dot-unstuffed, lines ending in \n
}

// Parse parses the message's header and body.
func (m Message) Parse() (*mail.Message, error) {
	return mail.ReadMessage(bytes.NewReader(m.Data))
}

// Text returns the message's body as its reader sees it: decoded when it is
// quoted-printable, with lines ending in \n.
func (m Message) Text() (string, error) {
	parsed, err := m.Parse()
	if err != nil {
		return "", err
	}
	var body io.Reader = parsed.Body
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port it listens on
	URL  string // smtp://host:port

	ln    net.Listener
	users map[string]string // user -> password accepted by AUTH PLAIN; nil: any

	mu       sync.Mutex
	messages []Message
	reject   int    // MAIL answers with this many 4xx refusals still to give
	rejectTo string // RCPT of this address is answered 550
	arrived  chan struct{}
	open     map[net.Conn]bool // connections being served
	closed   bool
	conns    sync.WaitGroup
}

// NewServer starts a server on a loopback port and stops it when tb's test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), URL: "smtp://" + ln.Addr().String(), ln: ln, arrived: make(chan struct{}, 1), open: map[net.Conn]bool{}}
	go s.serve()
	tb.Cleanup(s.Close)
	return s
}

// RequireAuth makes the server accept AUTH PLAIN with user and password only, and refuse
// mail from clients that did not authenticate.
func (s *Server) RequireAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = map[string]string{user: password}
}

// RejectNext makes the server answer the next n MAIL commands with 451, a temporary
// failure.
func (s *Server) RejectNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = n
}

// RejectRecipient makes the server refuse RCPT of addr with 550, a permanent failure.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectTo = addr
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitMessages waits up to timeout until at least n messages arrived and returns them.
func (s *Server) WaitMessages(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		if got := s.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-s.arrived:
		case <-deadline:
			tb.Fatalf("smtptest: got %d messages within %v, want %d", len(s.Messages()), timeout, n)
			return nil
		}
	}
}

// Close stops the server, ends its connections and waits for them.
func (s *Server) Close() {
	_ = s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for conn := range s.open {
		_ = conn.Close()
	}
	s.mu.Unlock()
	s.conns.Wait()
}

func (s *Server) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		s.open[conn] = true
		s.conns.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.conns.Done()
			defer func() {
				_ = conn.Close()
				s.mu.Lock()
				delete(s.open, conn)
				s.mu.Unlock()
			}()
			_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(textproto.NewConn(conn))
		}()
	}
}

// session runs one SMTP conversation.
func (s *Server) session(c *textproto.Conn) {
	reply := func(format string, args ...any) bool {
		return c.PrintfLine(format, args...) == nil
	}
	if !reply("220 smtptest ESMTP ready") {
		return
	}
	var (
		msg    *Message
		user   string
		authed bool
	)
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			if !reply("250-smtptest greets %s", arg) || !reply("250-8BITMIME") || !reply("250-AUTH PLAIN") || !reply("250 SIZE 10485760") {
				return
			}
		case "HELO":
			reply("250 smtptest")
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 5.5.4 only PLAIN")
				continue
			}
			if initial == "" {
				if !reply("334 ") {
					return
				}
				if initial, err = c.ReadLine(); err != nil {
					return
				}
			}
			u, ok := s.checkPlain(initial)
			if !ok {
				reply("535 5.7.8 authentication failed")
				continue
			}
			user, authed = u, true
			reply("235 2.7.0 authenticated")
		case "MAIL":
			from, ok := pathArg(arg, "FROM:")
			switch {
			case !ok:
				reply("501 5.5.4 syntax: MAIL FROM:<address>")
			case s.needsAuth() && !authed:
				reply("530 5.7.0 authentication required")
			case s.takeReject():
				reply("451 4.3.0 try again later")
			default:
				msg = &Message{From: from, User: user}
				reply("250 2.1.0 ok")
			}
		case "RCPT":
			to, ok := pathArg(arg, "TO:")
			switch {
			case msg == nil:
				reply("503 5.5.1 MAIL first")
			case !ok:
				reply("501 5.5.4 syntax: RCPT TO:<address>")
			case s.rejected(to):
				reply("550 5.1.1 no such mailbox")
			default:
				msg.To = append(msg.To, to)
				reply("250 2.1.5 ok")
			}
		case "DATA":
			if msg == nil || len(msg.To) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			data, err := c.ReadDotBytes()
			if err != nil {
				return
			}
			msg.Data = data
			s.keep(*msg)
			msg = nil
			reply("250 2.0.0 queued")
		case "RSET":
			msg = nil
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not implemented")
		}
	}
}

// pathArg returns the address of "FROM:<addr> params" (or TO:), given its prefix.
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	addr, _, ok := strings.Cut(rest[1:], ">")
	return addr, ok
}

// checkPlain checks an AUTH PLAIN response, base64 of "authzid\x00user\x00password".
func (s *Server) checkPlain(resp string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return "", false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return "", false
	}
	user, pass := parts[1], parts[2]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		return user, true
	}
	want, ok := s.users[user]
	return user, ok && want == pass
}

func (s *Server) needsAuth() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users != nil
}

func (s *Server) takeReject() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject > 0 {
		s.reject--
		return true
	}
	return false
}

func (s *Server) rejected(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejectTo != "" && strings.EqualFold(s.rejectTo, addr)
}

func (s *Server) keep(m Message) {
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
}
