package shopifyfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// response is what a handler produces; the kit writes it with the common
// headers.
type response = kit.Response

func respOK(body any) *response      { return kit.OK(body) }
func respCreated(body any) *response { return kit.Created(body) }

// Shopify's error bodies come in a few shapes; the SDK (CheckResponseError)
// and dropgate's connector must handle each of them.
// https://shopify.dev/docs/api/admin-rest/usage/response-codes

// errNotFound is Shopify's 404 for an unknown path or a missing resource.
func errNotFound() *response {
	return kit.JSON(http.StatusNotFound, map[string]any{"errors": "Not Found"})
}

// errString is {"errors":"message"}.
func errString(status int, msg string) *response {
	return kit.JSON(status, map[string]any{"errors": msg})
}

// errBase is {"errors":{"base":["message", ...]}}, the shape of model
// validation failures.
func errBase(status int, msgs ...string) *response {
	return errFieldList(status, "base", msgs...)
}

// errFieldList is {"errors":{"field":["message", ...]}}.
func errFieldList(status int, field string, msgs ...string) *response {
	return kit.JSON(status, map[string]any{"errors": map[string][]string{field: msgs}})
}

// errList is {"errors":["message", ...]}, the shape the fulfillment
// endpoints use (e.g. "Fulfillment payloads fulfillment order must be
// greater than 0", reported on community.shopify.com/t/362904).
func errList(status int, msgs ...string) *response {
	return kit.JSON(status, map[string]any{"errors": msgs})
}

// errField is {"errors":{"field":"message"}}, used by Shopify for request
// parameter problems (400).
func errField(status int, field, msg string) *response {
	return kit.JSON(status, map[string]any{"errors": map[string]string{field: msg}})
}

// errMissingRoot is Shopify's 400 when the wrapping object of a write
// ({"fulfillment": {...}}) is absent or not an object.
func errMissingRoot(root string) *response {
	return errField(http.StatusBadRequest, root, "Required parameter missing or invalid")
}

// maxBody bounds request bodies; Shopify's own limit is larger, but nothing
// dropgate sends comes close.
const maxBody = 1 << 20

// decodeRoot reads a JSON body of the form {"root": {...}} into dst.
// Malformed JSON is a 400, like Shopify; a missing root is a 400 naming it.
func decodeRoot(r *http.Request, root string, dst any) *response {
	raw, resp := readJSONBody(r)
	if resp != nil {
		return resp
	}
	var outer map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 {
		return errMissingRoot(root)
	}
	if err := json.Unmarshal(raw, &outer); err != nil {
		return errBadJSON(err)
	}
	inner, found := outer[root]
	if !found || !bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		return errMissingRoot(root)
	}
	if err := json.Unmarshal(inner, dst); err != nil {
		return errBadJSON(fmt.Errorf("%s: %w", root, err))
	}
	return nil
}

// decodeFlat reads a JSON object body without a wrapper (inventory_levels
// endpoints take {"location_id": ..., ...}). An empty body or "null"
// decodes to the zero value, which the handler then validates.
func decodeFlat(r *http.Request, dst any) *response {
	raw, resp := readJSONBody(r)
	if resp != nil {
		return resp
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return errBadJSON(err)
	}
	return nil
}

func readJSONBody(r *http.Request) ([]byte, *response) {
	if r.Body == nil {
		return nil, nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errString(http.StatusBadRequest, "Bad Request")
	}
	if len(raw) > maxBody {
		return nil, errString(http.StatusRequestEntityTooLarge, "Request Entity Too Large")
	}
	// Shopify only parses bodies sent as JSON; anything else leaves the
	// parameters missing.
	if len(bytes.TrimSpace(raw)) > 0 {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return nil, errString(http.StatusBadRequest, "Bad Request: Content-Type must be application/json")
		}
	}
	return raw, nil
}

func errBadJSON(err error) *response {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return errString(http.StatusBadRequest, fmt.Sprintf("Bad Request: malformed JSON at byte %d: %v", se.Offset, err))
	}
	return errString(http.StatusBadRequest, "Bad Request: "+err.Error())
}

// flexID is an ID in a request body. Shopify accepts integers and digit
// strings; a float (1.2e16) or a fractional number is refused instead of
// being rounded, since rounding is exactly the client bug to catch.
type flexID uint64

func (id *flexID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*id = 0
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("id %s is not an integer", b)
	}
	*id = flexID(n)
	return nil
}

// flexInt is an integer in a request body, as a number or a digit string.
// present tells an explicit value apart from an absent one.
type flexInt struct {
	n       int64
	present bool
}

func (v *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		*v = flexInt{}
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not an integer", b)
	}
	*v = flexInt{n: n, present: true}
	return nil
}
