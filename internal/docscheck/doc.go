// Package docscheck holds a test that every relative link in README.md and
// the pages under docs/ resolves: the file or directory exists and, for a
// link with a #fragment into a Markdown file, the heading exists. It has no
// non-test code.
package docscheck
