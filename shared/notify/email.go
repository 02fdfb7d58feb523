package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// DefaultFrom is the sender of reminder emails when NOTIFY_FROM is unset.
const DefaultFrom = "Taskwire <taskwire@localhost>"

// defaultMailTimeout bounds one email's whole SMTP conversation.
const defaultMailTimeout = 10 * time.Second

// Mailer sends plain-text email through one SMTP server with net/smtp.
type Mailer struct {
	addr        string // host:port
	host        string
	implicitTLS bool // smtps://
	auth        smtp.Auth
	from        *mail.Address

	// TLSConfig, when set, is used for smtps:// and STARTTLS instead of the default
	// (verify the server's certificate for its host name).
	TLSConfig *tls.Config
	// Timeout bounds one email's SMTP conversation; default 10s.
	Timeout time.Duration
}

// NewMailer returns a Mailer for smtpURL, smtp://[user:pass@]host[:port] (port 25 by
// default; STARTTLS when the server offers it) or smtps://… (implicit TLS, port 465 by
// default), sending from from (DefaultFrom when empty). Credentials are used with PLAIN
// authentication, which net/smtp permits only over TLS or to localhost.
func NewMailer(smtpURL, from string) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	m := &Mailer{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "25"
		}
	case "smtps":
		m.implicitTLS = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("SMTP_URL must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if m.host == "" {
		return nil, errors.New("SMTP_URL has no host")
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		pass, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pass, m.host)
	}
	if from == "" {
		from = DefaultFrom
	}
	if m.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("NOTIFY_FROM %q: %w", from, err)
	}
	return m, nil
}

// From returns the sender's address.
func (m *Mailer) From() *mail.Address { return m.from }

// Email is one plain-text message.
type Email struct {
	To        string // a bare address
	Subject   string
	Body      string
	MessageID string // without angle brackets; optional
}

// Send delivers msg in one SMTP conversation bounded by ctx and m.Timeout. A recipient
// the server refuses for good (a 5xx reply to RCPT) is a PermanentError.
func (m *Mailer) Send(ctx context.Context, msg Email) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("send email: recipient %q: %w", msg.To, err)}
	}
	data, err := m.render(msg, to, time.Now())
	if err != nil {
		return fmt.Errorf("send email: %w", err)
	}
	if err := m.converse(ctx, to.Address, data); err != nil {
		return fmt.Errorf("send email via %s: %w", m.addr, err)
	}
	return nil
}

// converse runs the SMTP conversation that delivers data to rcpt.
func (m *Mailer) converse(ctx context.Context, rcpt string, data []byte) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = defaultMailTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	// net/smtp knows no context; closing the connection ends a conversation that ctx
	// cancels before its deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if m.implicitTLS {
		conn = tls.Client(conn, m.tlsConfig())
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer c.Close()
	if !m.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tlsConfig()); err != nil {
				return err
			}
		}
	}
	if m.auth != nil {
		if err := c.Auth(m.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return &PermanentError{Err: err}
		}
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (m *Mailer) tlsConfig() *tls.Config {
	if m.TLSConfig != nil {
		return m.TLSConfig
	}
	return &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
}

// render returns msg as an RFC 5322 message: UTF-8 text, quoted-printable, with header
// values stripped of line breaks so that no value can add a header.
func (m *Mailer) render(msg Email, to *mail.Address, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name + ": " + value + "\r\n")
	}
	header("From", m.from.String())
	header("To", to.String())
	header("Subject", folded(mime.QEncoding.Encode("utf-8", oneLine(msg.Subject))))
	header("Date", now.UTC().Format(time.RFC1123Z))
	if msg.MessageID != "" {
		header("Message-ID", "<"+oneLine(msg.MessageID)+">")
	}
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// folded returns an encoded header value with a line break before each encoded word
// after the first. mime's encoder keeps each encoded word within 75 characters but joins
// them with spaces on one line, and a long title in a script outside ASCII (a hundred
// CJK characters) made a line longer than the 998 characters RFC 5322 allows, which mail
// servers refuse or mangle. The break is folding white space, which readers of encoded
// words drop.
func folded(value string) string {
	return strings.ReplaceAll(value, "?= =?", "?=\r\n =?")
}

// oneLine replaces the control characters of s, line breaks among them, with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
