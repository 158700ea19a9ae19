// Package xmltree reads a small XML body into a tree of elements, for the
// body decoders of package sipclient (pidf, winfo). They walk the tree
// instead of the token stream, so each element kind is read by one short
// function.
//
// Parse is strict only where safety needs it: it uses encoding/xml in
// Strict mode (unknown entities are errors, never expanded), refuses DTDs
// and other directives (and so entity declarations), bounds nesting, and
// refuses text outside the root element and a second root. Namespaces,
// attributes and unknown elements are kept as read; deciding what they mean
// is the caller's business.
//
// Errors describe in words what was wrong and carry no encoding/xml type:
// each caller wraps them in its own error class, such as pidf.ErrMalformed.
package xmltree
