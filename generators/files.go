package generators

// FileOptions is implemented by options that read a file a scenario names
// (a rate trace, records to replay). Relative paths in a scenario are
// relative to the scenario file, so the scenario decoder calls Resolve with
// that file's directory before Validate.
type FileOptions interface {
	// Resolve sets the directory relative paths are taken from and reads
	// what validation needs; Validate then reports what Resolve found,
	// naming the file and line.
	Resolve(dir string)
}
