// Package model is dropgate's canonical commerce model (DESIGN §3): what an
// order, a purchase order, a shipment or an invoice is, independent of any
// platform or document standard. Channel connectors map platform payloads
// into it; supplier connectors map it to EDI, email or HTTP and back.
//
// Rules the model keeps everywhere: money is money.Money (integer minor
// units + ISO 4217), platform ids are strings, every entity keeps its
// external references, and every change lands in an audit timeline.
package model
