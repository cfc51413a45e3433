package generators

var fixedKind = KeyKind{
	Name:  "fixed",
	Doc:   "The one key keys.fixed, so every record lands on one shard (the worst case).",
	build: func(cfg KeyConfig) KeyStrategy { return fixedKey(cfg.Fixed) },
}

type fixedKey string

func (k fixedKey) Key(string) (string, string) { return string(k), "" }
