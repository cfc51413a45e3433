//go:build !unix

package runner

import "os/exec"

// ownGroup does nothing where there are no process groups.
func ownGroup(*exec.Cmd) {}

// signalGroup kills the process: without process groups and SIGTERM there
// is no graceful stop to ask for.
func signalGroup(cmd *exec.Cmd, _ bool) error { return cmd.Process.Kill() }
