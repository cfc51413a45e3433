//go:build !unix

package procgroup

import (
	"errors"
	"os"
	"os/exec"
)

// Own does nothing where process groups are not available.
func Own(*exec.Cmd) {}

// Signal kills cmd's process; without process groups there is no
// gentler signal to send, so kill is ignored.
func Signal(cmd *exec.Cmd, _ bool) error {
	err := cmd.Process.Kill()
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}
