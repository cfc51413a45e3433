package generators

import (
	"fmt"
	"unicode/utf8"
)

var fixedKind = KeyKind{
	Name:  "fixed",
	Doc:   "The one key keys.fixed, so every record lands on one shard (the worst case).",
	check: checkFixed,
	build: func(cfg KeyConfig) KeyStrategy { return fixedKey(cfg.Fixed) },
}

func checkFixed(cfg KeyConfig) []error {
	if n := utf8.RuneCountInString(cfg.Fixed); n > 256 {
		return []error{fmt.Errorf("fixed key: %d characters is more than the 256 Kinesis allows", n)}
	}
	return nil
}

type fixedKey string

func (k fixedKey) Key(string) (string, string) { return string(k), "" }
