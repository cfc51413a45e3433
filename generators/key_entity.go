package generators

var entityKind = KeyKind{
	Name:  "entity",
	Doc:   "The partition key is the record's entity (card, device or hydrophone), so an entity's records stay in order on one shard.",
	build: func(KeyConfig) KeyStrategy { return entityKeys{} },
}

type entityKeys struct{}

func (entityKeys) Key(entity string) (string, string) { return entity, "" }
