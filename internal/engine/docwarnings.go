package engine

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
)

// EventDocumentWarning is the timeline event of a supplier document applied
// although its connector noted defects (InboundDoc.Warnings): the operator
// sees the partner break a rule, and may set the partner strict, without
// the document being lost.
const EventDocumentWarning = "document.warning"

// logDocWarnings records d's warnings on the timeline of the PO it applies
// to. It runs once per document: only when the document changed the
// aggregate, which a document seen before never does.
func logDocWarnings(a *model.Aggregate, supplier string, d connector.InboundDoc, s lifecycle.Step) {
	if len(d.Warnings) == 0 {
		return
	}
	a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + d.PONumber, Event: EventDocumentWarning, Cause: s.Cause,
		Message: fmt.Sprintf("%s %s accepted with warnings: %s", supplier, docKind(d), strings.Join(d.Warnings, "; ")),
		Data:    map[string]string{"doc": d.ID}})
}
