//go:build long

package main

// longSuite runs every model validation case with longer durations.
const longSuite = true
