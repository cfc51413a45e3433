package scenarios

import (
	"fmt"
	"path/filepath"
	"reflect"

	"github.com/goccy/go-yaml/ast"

	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/internal/clip"
)

// decodeRate decodes a rate block in two steps: `profile` first, then every
// other key strictly into the options type of that profile in
// generators.RateProfiles.
func (d *decoder) decodeRate(n ast.Node, r *Rate, path string, org *origin) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.addAt(n, org, path, "must be a mapping, got "+describe(n))
		return
	}
	var rest []entry
	for _, e := range d.entries(m, path, org) {
		if e.key != "profile" {
			rest = append(rest, e)
			continue
		}
		korg := d.keyOrigin(e, org)
		d.markKey(joinPath(path, e.key), e.kv, korg)
		d.decodeValue(e.kv.Value, reflect.ValueOf(&r.Profile).Elem(), joinPath(path, e.key), korg)
	}
	k, ok := generators.RateProfiles.Lookup(r.Profile)
	if !ok {
		return // checkRate reports the missing or unknown profile
	}
	opts := k.Options()
	ov := reflect.ValueOf(opts).Elem()
	fields := yamlFields(ov.Type())
	for _, e := range rest {
		korg := d.keyOrigin(e, org)
		fpath := joinPath(path, e.key)
		idx, ok := fields[e.key]
		if !ok {
			d.addAt(e.kv.Key, korg, fpath, unusedRateField(e.key, r.Profile, ov.Type()))
			continue
		}
		d.markKey(fpath, e.kv, korg)
		d.decodeValue(e.kv.Value, ov.Field(idx), fpath, korg)
	}
	r.Options = opts
}

// unusedRateField says why key is not a field of profile's options type t:
// it belongs to another profile, or to none.
func unusedRateField(key, profile string, t reflect.Type) string {
	for _, k := range generators.RateProfiles {
		if _, ok := yamlFields(reflect.TypeOf(k.Options()).Elem())[key]; ok {
			return fmt.Sprintf("is not used by profile %s (it uses %s)", profile, knownFields(t, nil))
		}
	}
	return fmt.Sprintf("unknown field %s; profile %s takes %s", clip.Quote(key), profile, knownFields(t, nil))
}

// keyOrigin is the override a mapping entry came from, if any.
func (d *decoder) keyOrigin(e entry, org *origin) *origin {
	if o := d.origins[e.kv]; o != nil {
		return o
	}
	return org
}

// checkRate checks that the rate is set, names a known profile, sets the
// fields its options require, and that the options validate.
func (d *decoder) checkRate(r *Rate, path string) {
	at := func(field string) string { return path + "." + field }
	if !d.has(path) {
		d.report(path, "is required, for example {profile: constant, rps: 100}")
		return
	}
	if r.Options == nil {
		if !d.has(at("profile")) {
			d.report(at("profile"), "is required: "+generators.RateProfiles.Want())
		} else {
			d.report(at("profile"), fmt.Sprintf("unknown profile %s; want %s", clip.Quote(r.Profile), generators.RateProfiles.Want()))
		}
		return
	}
	t := reflect.TypeOf(r.Options).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		if name := yamlName(f); name != "" && f.Tag.Get("kbench") == "required" && !d.has(at(name)) {
			d.report(at(name), "is required by profile "+r.Profile)
			d.bad[at(name)] = true
		}
	}
	if fo, ok := r.Options.(generators.FileOptions); ok {
		fo.Resolve(filepath.Dir(d.file))
	}
	for _, fe := range r.Options.Validate() {
		d.report(at(fe.Field), fe.Problem)
	}
}
