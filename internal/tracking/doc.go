// Package tracking recognises carrier tracking numbers: it validates a
// number against a carrier's formats and check digit ([Validate]), lists
// the carriers that accept a number ([Detect]), finds tracking numbers in
// free text such as supplier e-mails and CSV cells ([Find]), and maps the
// carrier names suppliers write ("UPS Ground", "Federal Express", "US
// Postal Service") to dropgate's canonical carrier codes
// ([CarrierFromName]).
//
// # Where the rules come from
//
// The formats, check-digit parameters, service codes and test numbers are
// those of the tracking_number_data project (github.com/jkeen/tracking_number_data,
// MIT licence, copyright (c) 2017 Jeff Keen; the notice is reproduced in
// carriers.go). They are transcribed into Go here, so that dropgate does
// not depend on the data files at run time; the check-digit algorithms are
// implemented from that project's CHECKSUM_ALGORITHMS.md. The conformance
// tests read the original JSON files (DROPGATE_CONFORMANCE_DIR) and check
// that every published valid number is accepted, every published invalid
// number is refused, and that the Go table carries the same checksum
// parameters as the data.
//
// The data's patterns are PCRE with optional white space between every
// character. This package normalises a number first ([Normalize]: white
// space and dashes removed, ASCII letters upper-cased) and matches it with
// anchored RE2 patterns free of that noise; the three patterns that rely on
// look-ahead (USPS IMpb N and C, DHL eCommerce) are rewritten as explicit
// alternatives of fixed lengths, which accept exactly the same numbers.
//
// # Carrier codes
//
// ups, fedex, usps, dhl, amazon, ontrac, lasership, canadapost, purolator,
// dpd, canpar, olddominion, speedee, yodel, yunexpress, gofo, landmark and
// s10 (the UPU S10 format every postal service uses for international
// items; [Match].Country names the issuing post's country). USPS and Canada
// Post also accept the S10 numbers they issue themselves (ending in US and
// CA).
package tracking
