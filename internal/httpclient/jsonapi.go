package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// DefaultMaxBody bounds what API.Send reads of an answer by default.
const DefaultMaxBody = 32 << 20

// API is how one connector reads a JSON API's answers, the same for
// every connector: a transport failure is retryable (an empty budget
// stays throttled), an answer that cannot be read retryable, a status of
// 400 or more classified by StatusError with the platform's own
// explanation, and a 2xx answer decoded exactly (numbers as json.Number)
// or permanent, saying where it broke. Errors start "{Name}: {op}: ".
type API struct {
	Name    string // the connector's type: "etsy"
	MaxBody int64  // bound on what is read of an answer (0: DefaultMaxBody)
	Clock   clock.Clock
	// ErrorText extracts the platform's explanation from an error body
	// ("" when it has none: the body is quoted as it is).
	ErrorText func(body []byte) string
	// AllowEmpty takes an empty 2xx answer as nothing to decode (the
	// platform answers 204 or an empty 200) instead of a broken one.
	AllowEmpty bool
}

// ErrorTextOf is an ErrorText for a platform whose error body decodes
// into T and reads as text(T) ("" for a body that is not one).
func ErrorTextOf[T any](text func(T) string) func(body []byte) string {
	return func(body []byte) string {
		var v T
		if json.Unmarshal(body, &v) != nil {
			return ""
		}
		return text(v)
	}
}

// Answer is what came back: Status is 0 when nothing did.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// NewRequest builds a call that accepts JSON; in, when not nil, is its
// body with its Content-Type: a form when it is url.Values, else JSON. A
// body that cannot be encoded or a bad URL is permanent.
func (a API) NewRequest(ctx context.Context, op, method, u string, in any) (*http.Request, error) {
	var body io.Reader
	ctype := ""
	switch v := in.(type) {
	case nil:
	case url.Values:
		body, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fault.Permanent(fmt.Errorf("%s: %s: encode request: %w", a.Name, op, err))
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("%s: %s: %w", a.Name, op, err))
	}
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req, nil
}

// Send sends req on hc and classifies the answer; out, when not nil,
// receives a 2xx answer: decoded, or as it came when it is a *[]byte.
func (a API) Send(hc *http.Client, req *http.Request, op string, out any) (Answer, error) {
	resp, err := hc.Do(req)
	if err != nil {
		var throttled *fault.ThrottledError
		if errors.As(err, &throttled) {
			return Answer{}, fmt.Errorf("%s: %s: %w", a.Name, op, err)
		}
		return Answer{}, fault.Retryable(fmt.Errorf("%s: %s: %w", a.Name, op, err))
	}
	defer resp.Body.Close()
	ans := Answer{Status: resp.StatusCode, Header: resp.Header}
	limit := a.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if ans.Body, err = io.ReadAll(io.LimitReader(resp.Body, limit)); err != nil {
		return ans, fault.Retryable(fmt.Errorf("%s: %s: read answer: %w", a.Name, op, err))
	}
	if resp.StatusCode >= 400 {
		msg := ans.Body
		if a.ErrorText != nil {
			if t := a.ErrorText(ans.Body); t != "" {
				msg = []byte(t)
			}
		}
		return ans, StatusError(a.Name+": "+op, resp, msg, a.now())
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = ans.Body
		return ans, nil
	}
	if out == nil || a.AllowEmpty && len(bytes.TrimSpace(ans.Body)) == 0 {
		return ans, nil
	}
	if err := jsonpos.Decode(ans.Body, out); err != nil {
		return ans, fault.Permanent(fmt.Errorf("%s: %s: decode answer: %w", a.Name, op, err))
	}
	return ans, nil
}

func (a API) now() time.Time {
	if a.Clock != nil {
		return a.Clock.Now()
	}
	return time.Now()
}
