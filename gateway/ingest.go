package gateway

import (
	"io"
	"net/http"

	"github.com/dropgate/dropgate/internal/jsonplain"
)

// presizeMax bounds the buffer allocated on a declared Content-Length
// before the bytes arrive, so a sender declaring a large body and sending
// nothing does not hold server.max_body_bytes of memory per connection.
const presizeMax = 64 << 10

// readBody reads a webhook's body, at most limit bytes. A declared
// Content-Length (already checked against limit) up to presizeMax sizes
// the buffer once: io.ReadAll would start at 512 bytes and regrow it for
// every webhook. net/http's body reader stops at Content-Length and
// reports a short body as io.ErrUnexpectedEOF, so nothing past it is read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= limit && n <= presizeMax {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

// jsonContentType is shared by every response: net/http only reads header
// values, and Header.Set would allocate a new slice each time.
var jsonContentType = []string{"application/json"}

// writeQueued answers an accepted delivery with what writeJSON writes for
// {"status":"queued","job":id,"delivery":delivery}, byte for byte, without
// a map and an encoder per request. Values that JSON would escape take
// the encoder's path.
func writeQueued(w http.ResponseWriter, id, delivery string) {
	if !jsonplain.String(id) || !jsonplain.String(delivery) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "queued", "job": id, "delivery": delivery})
		return
	}
	buf := make([]byte, 0, 48+len(id)+len(delivery))
	buf = append(buf, `{"delivery":"`...)
	buf = append(buf, delivery...)
	buf = append(buf, `","job":"`...)
	buf = append(buf, id...)
	buf = append(buf, `","status":"queued"}`+"\n"...)
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}
