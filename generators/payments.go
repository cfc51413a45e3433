package generators

import (
	"fmt"
	"math"
	"strconv"

	"github.com/kbench/kbench/envelope"
)

type country struct {
	code, currency string
	weight         float64
	region         uint8
}

const (
	regionNorthAmerica = iota
	regionSouthAmerica
	regionEurope
	regionAfrica
	regionAsia
	regionOceania
)

var countries = [...]country{
	{"US", "USD", 0.30, regionNorthAmerica},
	{"GB", "GBP", 0.10, regionEurope},
	{"DE", "EUR", 0.09, regionEurope},
	{"FR", "EUR", 0.07, regionEurope},
	{"ES", "EUR", 0.04, regionEurope},
	{"BR", "BRL", 0.06, regionSouthAmerica},
	{"MX", "MXN", 0.04, regionNorthAmerica},
	{"IN", "INR", 0.07, regionAsia},
	{"JP", "JPY", 0.06, regionAsia},
	{"SG", "SGD", 0.03, regionAsia},
	{"AU", "AUD", 0.04, regionOceania},
	{"CA", "CAD", 0.05, regionNorthAmerica},
	{"NG", "NGN", 0.02, regionAfrica},
	{"ZA", "ZAR", 0.03, regionAfrica},
}

// mccs are merchant category codes with rough shares of merchants.
var mccs = [...]struct {
	code   string
	weight float64
}{
	{"5411", 0.16}, // grocery stores, supermarkets
	{"5812", 0.14}, // eating places, restaurants
	{"5814", 0.10}, // fast food
	{"5541", 0.08}, // service stations
	{"5999", 0.08}, // miscellaneous retail
	{"5311", 0.05}, // department stores
	{"5912", 0.05}, // drug stores, pharmacies
	{"5691", 0.05}, // clothing stores
	{"5732", 0.04}, // electronics stores
	{"4111", 0.05}, // local commuter transport
	{"4121", 0.04}, // taxicabs, rideshare
	{"7011", 0.03}, // hotels, lodging
	{"4511", 0.02}, // airlines
	{"4814", 0.03}, // telecommunication services
	{"5942", 0.02}, // book stores
	{"7832", 0.02}, // cinemas
	{"6011", 0.04}, // ATM cash withdrawal
}

var normalChannels = [...]string{"chip", "contactless", "ecom"}

// normalChannelCum are the cumulative shares of normalChannels.
var normalChannelCum = [...]float64{0.45, 0.75, 1}

// payments makes card transactions. Its records are compact JSON objects
// with the keys in this order:
//
//	{"txn_id":"tx_9f1c2a3b4d5e6f70","ts":"2026-03-01T12:00:00.123Z",
//	 "card":"tok_0123456789abcdef","merchant":"mer_1a2b3c4d","mcc":"5411",
//	 "amount":42.17,"currency":"USD","country":"US","channel":"chip","label":"ok"}
//
// txn_id is unique within one generator (a bijection of its sequence number,
// salted by the seed). ts is the record's intended send time `at` in
// RFC 3339, UTC, with milliseconds. card is one of Cards tokens; merchant is
// drawn Zipf-like over Merchants with exponent MerchantSkew (rank 0 is the
// busiest) and carries a fixed MCC. amount is log-normal with median
// AmountMedian and sigma AmountSigma, in major units with 2 decimals
// whatever the currency. Each card has a home country (weighted towards
// large markets); 95% of its normal transactions happen there, the rest in
// a weighted random country; currency is the transaction country's. label
// is "ok" or "fraud", so downstream detectors can be scored.
//
// Fraud: a record starts a burst with a probability chosen so that a share
// FraudRate of all records start one. The burst is that record and the next
// FraudBurst-1 records of the generator, consecutive, all on one card, each
// in a country on another continent than the card's home and than the
// burst's previous transaction, mostly card-not-present ("ecom") or
// magstripe ("swipe"): a small card-testing amount first, then amounts
// around four times the median. So the share of records labelled "fraud" is
// FraudRate × FraudBurst.
//
// The card and merchant universe (tokens, home countries, merchant ids,
// MCCs) depends only on the options, so producers with different seeds
// share cards and merchants; the seed drives which ones each record uses.
type payments struct {
	rng       rng
	cards     []string
	home      []uint8
	merchants []string
	mcc       []uint8
	merchant  zipf
	country   []float64 // cumulative country weights
	farFrom   [6][]uint8
	logMedian float64
	sigma     float64
	startProb float64
	burstLen  int
	txnSalt   uint64
	seq       uint64
	ts        tsCache
	format    FormatKind
	cur       payment // the record being encoded

	// The burst in progress: its card, how many records are left, and the
	// region of its last transaction.
	burstCard   int
	burstLeft   int
	burstRegion uint8
	// What the latest record was: part of a burst, and its first record.
	inBurst, burstStart bool
}

// Incident implements IncidentSource: the latest record's burst, keyed by
// its card token.
func (g *payments) Incident() (Incident, bool) {
	if !g.inBurst {
		return Incident{}, false
	}
	return Incident{Key: g.cards[g.burstCard], Start: g.burstStart, Last: g.burstLeft == 0}, true
}

// burstStartProb is the per-draw probability of starting a burst such that
// a share rate of all records start one when each burst occupies size
// consecutive records: q / (q·size + 1 − q) = rate.
func burstStartProb(rate float64, size int) float64 {
	if rate <= 0 {
		return 0
	}
	return min(1, rate/(1-rate*float64(size-1)))
}

func newPayments(o PaymentsOptions, seed int64) *payments {
	g := &payments{
		rng:       newRNG(seed, saltPayments),
		logMedian: math.Log(o.AmountMedian),
		sigma:     o.AmountSigma,
		startProb: burstStartProb(o.FraudRate, o.FraudBurst),
		burstLen:  o.FraudBurst,
		txnSalt:   mix64(uint64(seed) ^ saltTxnID),
		merchant:  newZipf(o.Merchants, o.MerchantSkew),
		format:    formatOf(o.Format),
	}
	w := make([]float64, len(countries))
	for i, c := range countries {
		w[i] = c.weight
	}
	g.country = cumulative(w)
	for r := range g.farFrom {
		for i, c := range countries {
			if c.region != uint8(r) {
				g.farFrom[r] = append(g.farFrom[r], uint8(i))
			}
		}
	}

	uni := newRNG(int64(o.Cards)<<20^int64(o.Merchants), saltUniverse)
	g.cards = stringTable(o.Cards, func(dst []byte, i int) []byte {
		return appendHex(append(dst, "tok_"...), mix64(uint64(i)^saltUniverse), 16)
	})
	g.home = make([]uint8, o.Cards)
	for i := range g.home {
		g.home[i] = uint8(weighted(g.country, uni.Float64()))
	}
	g.merchants = stringTable(o.Merchants, func(dst []byte, i int) []byte {
		return appendHex(append(dst, "mer_"...), uint64(mix32(uint32(i)+0x9e3779b9)), 8)
	})
	mw := make([]float64, len(mccs))
	for i, m := range mccs {
		mw[i] = m.weight
	}
	mcum := cumulative(mw)
	g.mcc = make([]uint8, o.Merchants)
	for i := range g.mcc {
		g.mcc[i] = uint8(weighted(mcum, uni.Float64()))
	}
	return g
}

// Next implements Generator.
func (g *payments) Next(dst []byte, at int64) ([]byte, string) {
	r := &g.rng
	var card, ctry int
	var channel string
	var amount float64
	fraud := false
	g.burstStart = false
	switch {
	case g.burstLeft > 0:
		g.burstLeft--
		card, fraud = g.burstCard, true
		ctry = g.farCountry(g.home[card])
		channel = fraudChannel(r)
		amount = math.Exp(g.logMedian + 2*math.Ln2 + g.sigma*r.Norm())
	case g.startProb > 0 && r.Float64() < g.startProb:
		card, fraud = r.IntN(len(g.cards)), true
		g.burstCard, g.burstLeft = card, g.burstLen-1
		g.burstStart = true
		g.burstRegion = countries[g.home[card]].region
		ctry = g.farCountry(g.home[card])
		channel = fraudChannel(r)
		amount = 0.5 + 1.5*r.Float64()
	default:
		card = r.IntN(len(g.cards))
		ctry = int(g.home[card])
		if r.Float64() < 0.05 {
			ctry = weighted(g.country, r.Float64())
		}
		channel = normalChannels[weighted(normalChannelCum[:], r.Float64())]
		amount = math.Exp(g.logMedian + g.sigma*r.Norm())
	}
	g.inBurst = fraud
	m := g.merchant.draw(r.Float64())
	p := &g.cur // a field, not a local: the format's encoder is called indirectly, so a local would escape
	*p = payment{
		txn: mix64(g.seq ^ g.txnSalt), at: at, card: g.cards[card], merchant: g.merchants[m],
		mcc: mccs[g.mcc[m]].code, cents: max(int64(math.Round(amount*100)), 1),
		currency: countries[ctry].currency, country: countries[ctry].code, channel: channel, fraud: fraud,
	}
	g.seq++
	return g.format.payment(dst, p, &g.ts), p.card
}

// EnvelopeSlot implements Slotted.
func (g *payments) EnvelopeSlot() (envelope.Slot, bool) { return g.format.Slot, g.format.Inside }

// payment is one card transaction, as the formats encode it.
type payment struct {
	txn      uint64 // txn_id is "tx_" and its 16 hex digits
	at       int64  // ts, Unix ns
	cents    int64  // amount in hundredths, at least 1
	card     string
	merchant string
	mcc      string
	currency string
	country  string
	channel  string
	fraud    bool // label "fraud", else "ok"
}

// label is the payment's label field.
func (p *payment) label() string {
	if p.fraud {
		return "fraud"
	}
	return "ok"
}

// appendPaymentJSON appends the payment's JSON fields after the opening
// brace: `"txn_id":…,"label":"ok"}`.
func appendPaymentJSON(dst []byte, p *payment, ts *tsCache) []byte {
	dst = append(dst, `"txn_id":"tx_`...)
	dst = appendHex(dst, p.txn, 16)
	dst = append(dst, `","ts":"`...)
	dst = ts.append(dst, p.at)
	dst = append(dst, `","card":"`...)
	dst = append(dst, p.card...)
	dst = append(dst, `","merchant":"`...)
	dst = append(dst, p.merchant...)
	dst = append(dst, `","mcc":"`...)
	dst = append(dst, p.mcc...)
	dst = append(dst, `","amount":`...)
	dst = appendCents(dst, p.cents)
	dst = append(dst, `,"currency":"`...)
	dst = append(dst, p.currency...)
	dst = append(dst, `","country":"`...)
	dst = append(dst, p.country...)
	dst = append(dst, `","channel":"`...)
	dst = append(dst, p.channel...)
	if p.fraud {
		return append(dst, `","label":"fraud"}`...)
	}
	return append(dst, `","label":"ok"}`...)
}

// farCountry picks a country on another continent than home and than the
// burst's previous transaction, and remembers its region.
func (g *payments) farCountry(home uint8) int {
	homeRegion := countries[home].region
	for {
		c := g.farFrom[homeRegion][g.rng.IntN(len(g.farFrom[homeRegion]))]
		if countries[c].region != g.burstRegion || g.burstRegion == homeRegion {
			g.burstRegion = countries[c].region
			return int(c)
		}
	}
}

func fraudChannel(r *rng) string {
	if r.Float64() < 0.7 {
		return "ecom"
	}
	return "swipe"
}

// appendCents appends an amount in hundredths with exactly two decimals.
func appendCents(dst []byte, cents int64) []byte {
	dst = strconv.AppendInt(dst, cents/100, 10)
	c := cents % 100
	return append(dst, '.', byte('0'+c/10), byte('0'+c%10))
}

var paymentsKind = GeneratorKind{
	Name:    "payments",
	Doc:     "Card payments (JSON, Avro, protobuf or CSV), with fraud bursts; the entity is the card token.",
	Options: func() Options { o := DefaultPaymentsOptions(); return &o },
}

// PaymentsOptions configures the card-payments generator.
type PaymentsOptions struct {
	// Cards is the number of distinct card tokens.
	Cards int `yaml:"cards" json:"cards"`
	// Merchants is the number of distinct merchants, drawn Zipf-like.
	Merchants int `yaml:"merchants" json:"merchants"`
	// MerchantSkew is the Zipf exponent s (> 1) of the merchant draw.
	MerchantSkew float64 `yaml:"merchant_skew" json:"merchant_skew"`
	// AmountMedian is the median transaction amount in major units.
	AmountMedian float64 `yaml:"amount_median" json:"amount_median"`
	// AmountSigma is the log-normal sigma of the amount.
	AmountSigma float64 `yaml:"amount_sigma" json:"amount_sigma"`
	// FraudRate is the share of records (0..1) that start a fraud burst;
	// FraudRate × FraudBurst (the share of fraud records) is at most 1.
	FraudRate float64 `yaml:"fraud_rate" json:"fraud_rate"`
	// FraudBurst is how many transactions one fraud burst puts on one card
	// across distant countries.
	FraudBurst int `yaml:"fraud_burst" json:"fraud_burst"`
	// Format is how records are encoded: prefixed (default), json, avro,
	// protobuf or csv; see Formats.
	Format string `yaml:"format" json:"format"`
}

// DefaultPaymentsOptions returns the payments generator's defaults.
func DefaultPaymentsOptions() PaymentsOptions {
	return PaymentsOptions{Cards: 100000, Merchants: 5000, MerchantSkew: 1.1,
		AmountMedian: 42, AmountSigma: 0.9, FraudRate: 0, FraudBurst: 6, Format: Formats[0].Name}
}

// Generator implements Options.
func (o *PaymentsOptions) Generator() string { return "payments" }

// Validate implements Options.
func (o *PaymentsOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Cards < 1 {
		errs = append(errs, &FieldError{Field: "cards", Problem: "must be at least 1"})
	}
	if o.Merchants < 1 {
		errs = append(errs, &FieldError{Field: "merchants", Problem: "must be at least 1"})
	}
	if o.MerchantSkew <= 1 {
		errs = append(errs, &FieldError{Field: "merchant_skew", Problem: "must be greater than 1"})
	}
	if o.AmountMedian <= 0 {
		errs = append(errs, &FieldError{Field: "amount_median", Problem: "must be positive"})
	}
	if o.AmountSigma < 0 {
		errs = append(errs, &FieldError{Field: "amount_sigma", Problem: "must not be negative"})
	}
	if o.FraudRate < 0 || o.FraudRate > 1 {
		errs = append(errs, &FieldError{Field: "fraud_rate", Problem: "must be between 0 and 1"})
	}
	if o.FraudBurst < 1 {
		errs = append(errs, &FieldError{Field: "fraud_burst", Problem: "must be at least 1"})
	}
	if fe := formatProblem(o.Format); fe != nil {
		errs = append(errs, fe)
	}
	if len(errs) == 0 && o.FraudRate*float64(o.FraudBurst) > 1 {
		errs = append(errs, &FieldError{Field: "fraud_rate", Problem: fmt.Sprintf(
			"%g bursts of %d records per record is more than all records (fraud_rate × fraud_burst must be at most 1)",
			o.FraudRate, o.FraudBurst)})
	}
	return errs
}

// Build implements Options.
func (o *PaymentsOptions) Build(seed int64) Generator {
	return newPayments(*o, seed)
}
