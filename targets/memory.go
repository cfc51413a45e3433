package targets

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// simMemoryShare is the share of the machine's memory the in-process
// simulator may use by default: it shares the process with kbench's
// producers and collectors.
const simMemoryShare = 4 // a quarter

// minSimMemory is the smallest default budget (the simulator's own minimum).
const minSimMemory = 64 << 20

// DefaultSimMemory returns the in-process simulator's default memory budget:
// a quarter of the machine's physical memory (or of the cgroup's memory
// limit when that is lower), at least 64 MiB; 0 when neither can be read.
func DefaultSimMemory() int64 {
	phys := physicalMemory()
	if phys <= 0 {
		return 0
	}
	return max(phys/simMemoryShare, minSimMemory)
}

// physicalMemory returns the memory available to this process: MemTotal
// from /proc/meminfo, or the cgroup v2 limit when lower; 0 when unknown
// (not Linux).
func physicalMemory() int64 {
	total := memInfoTotal()
	if lim := cgroupLimit(); lim > 0 && (total == 0 || lim < total) {
		total = lim
	}
	return total
}

func memInfoTotal() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

func cgroupLimit() int64 {
	data, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil { // "max": no limit
		return 0
	}
	return v
}
