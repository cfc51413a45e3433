package generators

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

type paymentRecord struct {
	TxnID    string  `json:"txn_id"`
	TS       string  `json:"ts"`
	Card     string  `json:"card"`
	Merchant string  `json:"merchant"`
	MCC      string  `json:"mcc"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Country  string  `json:"country"`
	Channel  string  `json:"channel"`
	Label    string  `json:"label"`
}

// decodePayments decodes n records of g strictly, checking each entity.
func decodePayments(t *testing.T, g Generator, n int) []paymentRecord {
	t.Helper()
	payloads, entities := records(g, n)
	out := make([]paymentRecord, len(payloads))
	for i, p := range payloads {
		if !json.Valid(p) {
			t.Fatalf("record %d is not JSON: %s", i, p)
		}
		dec := json.NewDecoder(bytesReader(p))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out[i]); err != nil {
			t.Fatalf("record %d: %v: %s", i, err, p)
		}
		if out[i].Card != entities[i] {
			t.Fatalf("record %d: entity %q, card %q", i, entities[i], out[i].Card)
		}
	}
	return out
}

// scanPayments reads the card, country and label of n records of g
// without a full JSON decode.
func scanPayments(g Generator, n int) []paymentRecord {
	out := make([]paymentRecord, n)
	var buf []byte
	for i := range out {
		buf, _ = g.Next(buf[:0], benchAt)
		out[i] = paymentRecord{Card: jsonField(buf, "card"), Country: jsonField(buf, "country"), Label: jsonField(buf, "label")}
	}
	return out
}

func TestPaymentsFields(t *testing.T) {
	g := newGen(t, "payments", 3, func(o *PaymentsOptions) { o.Cards = 500; o.FraudRate = 0.01 })
	recs := decodePayments(t, g, 5000)
	g = newGen(t, "payments", 3, func(o *PaymentsOptions) { o.Cards = 500; o.FraudRate = 0.01 })
	payloads, _ := records(g, len(recs))
	amount := regexp.MustCompile(`"amount":[0-9]+\.[0-9]{2},`)
	currency := map[string]string{}
	for _, c := range countries {
		currency[c.code] = c.currency
	}
	txns := map[string]bool{}
	for i, r := range recs {
		if txns[r.TxnID] {
			t.Fatalf("record %d repeats txn_id %s", i, r.TxnID)
		}
		txns[r.TxnID] = true
		ts, err := time.Parse(time.RFC3339Nano, r.TS)
		if err != nil || ts.UnixNano() != benchAt+int64(i)*int64(time.Millisecond) || len(r.TS) != len("2026-03-01T12:00:00.000Z") {
			t.Fatalf("record %d: ts %q does not match its send time (%v)", i, r.TS, err)
		}
		if len(r.Card) != 20 || len(r.MCC) != 4 || r.Amount < 0.01 || !amount.Match(payloads[i]) {
			t.Fatalf("record %d: malformed %+v", i, r)
		}
		if currency[r.Country] != r.Currency {
			t.Fatalf("record %d: currency %s in country %s", i, r.Currency, r.Country)
		}
		if r.Label != "ok" && r.Label != "fraud" {
			t.Fatalf("record %d: label %q", i, r.Label)
		}
	}
}

// TestPaymentsMerchantZipf checks that merchant shares follow rank^-s.
func TestPaymentsMerchantZipf(t *testing.T) {
	const n, s, records = 1000, 1.1, 200000
	g := newGen(t, "payments", 1, func(o *PaymentsOptions) { o.Merchants = n; o.MerchantSkew = s }).(*payments)
	counts := map[string]int{}
	for range records {
		p, _ := g.Next(nil, benchAt)
		counts[jsonField(p, "merchant")]++
	}
	h := 0.0
	for k := 1; k <= n; k++ {
		h += math.Pow(float64(k), -s)
	}
	for rank := range 3 {
		want := math.Pow(float64(rank+1), -s) / h
		got := float64(counts[g.merchants[rank]]) / records
		if math.Abs(got-want) > 0.05*want {
			t.Errorf("merchant rank %d share %.4f, want %.4f ± 5%%", rank, got, want)
		}
	}
	if len(counts) < n/2 {
		t.Errorf("only %d of %d merchants seen", len(counts), n)
	}
}

// TestPaymentsMCCPerMerchant checks that a merchant keeps its MCC.
func TestPaymentsMCCPerMerchant(t *testing.T) {
	g := newGen(t, "payments", 1, func(o *PaymentsOptions) { o.Merchants = 50 })
	mcc := map[string]string{}
	for range 5000 {
		p, _ := g.Next(nil, benchAt)
		m, c := jsonField(p, "merchant"), jsonField(p, "mcc")
		if prev, ok := mcc[m]; ok && prev != c {
			t.Fatalf("merchant %s has MCCs %s and %s", m, prev, c)
		}
		mcc[m] = c
	}
}

func TestPaymentsAmountMedian(t *testing.T) {
	for _, median := range []float64{42, 1000} {
		g := newGen(t, "payments", 5, func(o *PaymentsOptions) { o.AmountMedian = median; o.AmountSigma = 0.9 })
		amounts := make([]float64, 50000)
		for i := range amounts {
			p, _ := g.Next(nil, benchAt)
			amounts[i] = jsonNumber(t, p, "amount")
		}
		slices.Sort(amounts)
		if got := amounts[len(amounts)/2]; math.Abs(got-median) > 0.05*median {
			t.Errorf("median amount %.2f, want %.2f ± 5%%", got, median)
		}
		// Log-normal: the 84th percentile is median·e^sigma.
		if got, want := amounts[len(amounts)*841/1000], median*math.Exp(0.9); math.Abs(got-want) > 0.07*want {
			t.Errorf("84th percentile %.2f, want %.2f ± 7%%", got, want)
		}
	}
}

// TestPaymentsFraud checks the share of burst starts, the burst shape and
// that bursts hop between continents away from the card's home.
func TestPaymentsFraud(t *testing.T) {
	const rate, burst, n = 0.01, 6, 100000
	g := newGen(t, "payments", 9, func(o *PaymentsOptions) { o.FraudRate = rate; o.FraudBurst = burst })
	recs := scanPayments(g, n)
	region := map[string]uint8{}
	for _, c := range countries {
		region[c.code] = c.region
	}
	home := homeCountries(recs)
	fraud, bursts := 0, 0
	for i := 0; i < len(recs); {
		if recs[i].Label != "fraud" {
			i++
			continue
		}
		if i+burst > len(recs) {
			break
		}
		bursts++
		card := recs[i].Card
		for j := i; j < i+burst; j++ {
			r := recs[j]
			if r.Label != "fraud" || r.Card != card {
				t.Fatalf("record %d: burst from %d broken: %+v", j, i, r)
			}
			if h, ok := home[card]; ok && region[r.Country] == region[h] {
				t.Errorf("record %d: fraud in %s, on the home continent of a card from %s", j, r.Country, h)
			}
			if j > i && region[r.Country] == region[recs[j-1].Country] {
				t.Errorf("record %d: burst stays on one continent (%s after %s)", j, r.Country, recs[j-1].Country)
			}
		}
		fraud += burst
		i += burst
	}
	if got := float64(bursts) / n; math.Abs(got-rate) > 0.15*rate {
		t.Errorf("share of records starting a burst %.4f, want %.4f ± 15%%", got, rate)
	}
	if got := float64(fraud) / n; math.Abs(got-rate*burst) > 0.15*rate*burst {
		t.Errorf("fraud share %.4f, want %.4f ± 15%%", got, rate*burst)
	}
}

// homeCountries guesses each card's home as the country of most of its
// normal transactions.
func homeCountries(recs []paymentRecord) map[string]string {
	seen := map[string]map[string]int{}
	for _, r := range recs {
		if r.Label == "ok" {
			if seen[r.Card] == nil {
				seen[r.Card] = map[string]int{}
			}
			seen[r.Card][r.Country]++
		}
	}
	home := map[string]string{}
	for card, m := range seen {
		total, best, bestN := 0, "", 0
		for c, k := range m {
			total += k
			if k > bestN {
				best, bestN = c, k
			}
		}
		if total >= 3 && bestN*2 > total {
			home[card] = best
		}
	}
	return home
}

// TestPaymentsHomeCountry checks that normal transactions mostly stay in the
// card's home country.
func TestPaymentsHomeCountry(t *testing.T) {
	g := newGen(t, "payments", 2, func(o *PaymentsOptions) { o.Cards = 200 })
	recs := scanPayments(g, 20000)
	home := homeCountries(recs)
	at := 0
	for _, r := range recs {
		if home[r.Card] == r.Country {
			at++
		}
	}
	if got := float64(at) / float64(len(recs)); got < 0.93 {
		t.Errorf("share at home %.3f, want about 0.95", got)
	}
}

// TestPaymentsIncidents checks that the ground truth the generator reports
// is its fraud bursts: every fraud-labelled record and no other, on the
// burst's card, one start per burst.
func TestPaymentsIncidents(t *testing.T) {
	o := DefaultPaymentsOptions()
	o.FraudRate, o.FraudBurst = 0.02, 3
	g := o.Build(7)
	src, ok := g.(IncidentSource)
	if !ok {
		t.Fatal("payments does not report incidents")
	}
	starts, inBurst := 0, 0
	for i := range 20000 {
		rec, card := g.Next(nil, int64(i))
		inc, in := src.Incident()
		key, start := inc.Key, inc.Start
		if in && inc.Last != ((inBurst+1)%3 == 0) {
			t.Fatalf("record %d: last %v as record %d of a burst of 3", i, inc.Last, inBurst%3+1)
		}
		fraud := strings.Contains(string(rec), `"label":"fraud"`)
		if in != fraud {
			t.Fatalf("record %d: incident %v, label fraud %v", i, in, fraud)
		}
		if in && key != card {
			t.Fatalf("record %d: incident key %q, card %q", i, key, card)
		}
		if start {
			if inBurst%3 != 0 {
				t.Fatalf("record %d: a burst started after %d records of the previous one", i, inBurst%3)
			}
			starts++
		}
		if in {
			inBurst++
		}
	}
	if starts == 0 || inBurst != 3*starts {
		t.Fatalf("%d starts, %d burst records; want 3 records a burst", starts, inBurst)
	}
}
