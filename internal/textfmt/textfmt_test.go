package textfmt

import "testing"

func TestFormats(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Int(0), "0"}, {Int(999), "999"}, {Int(1000), "1,000"}, {Int(1234567), "1,234,567"}, {Int(-1234567), "-1,234,567"},
		{Value(2), "2"}, {Value(30000), "30,000"}, {Value(0.9996), "0.9996"}, {Value(312.5), "312.500"},
		{Value(-0.25), "-0.25"},
		{Plural(1, "shard"), "1 shard"}, {Plural(0, "run"), "0 runs"}, {Plural(4, "cell"), "4 cells"},
		{MDEscape("a|b\n<c>"), `a\|b &lt;c&gt;`},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
