package portal

import "net/mail"

// address is the bare address of "Name <a@b>" (Check made sure it parses).
func address(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}

func addresses(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = address(s)
	}
	return out
}
