//go:build !unix

package targets

import (
	"errors"
	"os"
	"os/exec"
)

// setProcessGroup does nothing where process groups are not available.
func setProcessGroup(*exec.Cmd) {}

// signalGroup kills cmd's process; without process groups there is no
// gentler signal to send, so kill is ignored.
func signalGroup(cmd *exec.Cmd, _ bool) error {
	err := cmd.Process.Kill()
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}
