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

// Finite is implemented by generators whose records can run out (a replayed
// file that does not loop). The producer asks Exhausted before each record
// and stops sending when it returns true. Exhausted may block until the
// generator knows.
type Finite interface {
	Exhausted() bool
}

// Divisible is implemented by generators whose records the instances of a
// producer share rather than each make in full (a replayed file): Divide
// makes this generator instance index of count, sending record i of the
// shared sequence when i mod count = index. Call it before the first Next.
type Divisible interface {
	Divide(index, count int)
}
