package notify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrBlockedAddress is returned (wrapped) when a webhook would connect to an address the
// guard refuses: loopback, private, link-local, unspecified, multicast or otherwise not
// a public unicast address.
var ErrBlockedAddress = errors.New("address not allowed for webhooks")

// blockedPrefixes are the special-purpose ranges (IANA's IPv4 and IPv6 special-purpose
// address registries) the guard refuses beyond what netip's predicates name: "this
// network", shared (carrier-grade NAT) space, IETF protocol assignments, the
// documentation ranges (TEST-NET-1 to 3, 2001:db8::/32, 3fff::/20), benchmarking,
// reserved and broadcast; IPv4-compatible IPv6, the local-use NAT64 prefix, Teredo and
// 6to4 (which tunnel to IPv4 addresses the guard would not see), discard-only and the
// deprecated IPv6 site-local range. A documentation range can be a real network's: one
// machine Taskwire ran on had its own interface in 192.0.2.0/24.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("3fff::/20"),
	netip.MustParsePrefix("fec0::/10"),
}

// nat64 is the well-known NAT64 prefix; an address in it reaches the IPv4 address in its
// last 32 bits, which the guard checks in its stead.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// CheckAddress returns an error wrapping ErrBlockedAddress unless a webhook may connect to
// ip: a public unicast address. allowPrivate lifts the guard (NOTIFY_ALLOW_PRIVATE, for
// development and tests, where receivers listen on loopback or a private network).
func CheckAddress(ip netip.Addr, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	blocked := !ip.IsValid() || ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast()
	for _, p := range blockedPrefixes {
		blocked = blocked || p.Contains(ip)
	}
	if blocked {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, ip)
	}
	return nil
}

// dialControl returns a net.Dialer Control function that refuses, at connect time, any
// address CheckAddress refuses. Checking the address actually dialled, after name
// resolution, is what defeats DNS rebinding: a name that resolved to a public address
// when the URL was saved, or a moment before, cannot steer the connection inward.
func dialControl(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		if network != "tcp4" && network != "tcp6" {
			return fmt.Errorf("%w: network %s", ErrBlockedAddress, network)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
		}
		return CheckAddress(ap.Addr(), false)
	}
}

// idlePerHost is how many idle connections to one host the webhook client keeps for the
// next webhooks. Many users' webhooks can point at one host (an automation service), and
// the broker delivers many reminders at once (the local broker 16 to a trigger): with
// fewer kept than were busy, each burst dialled most of its connections afresh.
const idlePerHost = 32

// NewHTTPClient returns the HTTP client webhooks are sent with. It connects directly
// (never through an environment proxy, whose address would be the one checked), refuses
// addresses per CheckAddress unless allowPrivate, and does not follow redirects: a
// webhook answered with a redirect has failed, and a redirect cannot lead it elsewhere.
func NewHTTPClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{
		Timeout:   5 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   dialControl(allowPrivate),
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	transport.DialContext = dialer.DialContext
	transport.MaxIdleConnsPerHost = idlePerHost
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
