// Package procgroup starts child processes (kinesis-mock, an application
// under test) in a process group of their own and signals the whole group,
// so that stopping one reaches every process it started.
package procgroup
