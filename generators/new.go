package generators

import (
	"errors"
	"fmt"
)

// New validates opts and returns the generator they configure: payments
// for *PaymentsOptions, iot for *IoTOptions, acoustic for *AcousticOptions.
// Payments records are compact JSON card transactions with the keys txn_id,
// ts, card, merchant, mcc, amount, currency, country, channel and label
// ("ok" or "fraud"); their entity is the card token. IoT records are
// compact JSON telemetry with the keys device, model, fw, seq, ts, temp_c,
// humidity, battery, rssi, lat, lon and status; their entity is the device
// id. Timestamps are the record's `at` in RFC 3339, UTC, with milliseconds.
// Acoustic records are binary PCM frames laid out as AcousticHeaderSize
// describes; their entity is the hydrophone id ("hyd-00", …).
// A validation failure returns every problem at once, joined with
// errors.Join (so the error has an Unwrap() []error method), and each
// joined error is a *FieldError. The generator copies opts, and its
// output is a function of opts, seed and the `at` values passed to Next:
// the same inputs give byte-identical records.
func New(opts Options, seed int64) (Generator, error) {
	switch o := opts.(type) {
	case *PaymentsOptions:
		if o != nil {
			if err := validate(o); err != nil {
				return nil, err
			}
			return newPayments(*o, seed), nil
		}
	case *IoTOptions:
		if o != nil {
			if err := validate(o); err != nil {
				return nil, err
			}
			return newIoT(*o, seed), nil
		}
	case *AcousticOptions:
		if o != nil {
			if err := validate(o); err != nil {
				return nil, err
			}
			c := *o
			c.Tones = append([]float64(nil), o.Tones...)
			return newAcoustic(c, seed), nil
		}
	case nil:
		return nil, errors.New("generators: no options")
	default:
		return nil, fmt.Errorf("generators: unknown options type %T", opts)
	}
	return nil, fmt.Errorf("generators: nil %T", opts)
}

// validate joins the options' field errors into one error, or returns nil.
func validate(o Options) error {
	fes := o.Validate()
	errs := make([]error, len(fes))
	for i, fe := range fes {
		errs[i] = fe
	}
	return errors.Join(errs...)
}
