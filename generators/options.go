package generators

import (
	"fmt"
	"time"
)

// NewOptions returns the options of the named generator filled with their
// defaults, ready to have a scenario's `options:` block decoded into them.
// Known generators are "payments", "iot" and "acoustic".
func NewOptions(generator string) (Options, error) {
	switch generator {
	case "payments":
		o := DefaultPaymentsOptions()
		return &o, nil
	case "iot":
		o := DefaultIoTOptions()
		return &o, nil
	case "acoustic":
		o := DefaultAcousticOptions()
		return &o, nil
	}
	return nil, fmt.Errorf("unknown generator %q (want payments, iot or acoustic)", generator)
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
}

// DefaultPaymentsOptions returns the payments generator's defaults.
func DefaultPaymentsOptions() PaymentsOptions {
	return PaymentsOptions{Cards: 100000, Merchants: 5000, MerchantSkew: 1.1,
		AmountMedian: 42, AmountSigma: 0.9, FraudRate: 0, FraudBurst: 6}
}

// Generator implements Options.
func (o *PaymentsOptions) Generator() string { return "payments" }

// Validate implements Options.
func (o *PaymentsOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Cards < 1 {
		errs = append(errs, &FieldError{"cards", "must be at least 1"})
	}
	if o.Merchants < 1 {
		errs = append(errs, &FieldError{"merchants", "must be at least 1"})
	}
	if o.MerchantSkew <= 1 {
		errs = append(errs, &FieldError{"merchant_skew", "must be greater than 1"})
	}
	if o.AmountMedian <= 0 {
		errs = append(errs, &FieldError{"amount_median", "must be positive"})
	}
	if o.AmountSigma < 0 {
		errs = append(errs, &FieldError{"amount_sigma", "must not be negative"})
	}
	if o.FraudRate < 0 || o.FraudRate > 1 {
		errs = append(errs, &FieldError{"fraud_rate", "must be between 0 and 1"})
	}
	if o.FraudBurst < 1 {
		errs = append(errs, &FieldError{"fraud_burst", "must be at least 1"})
	}
	if len(errs) == 0 && o.FraudRate*float64(o.FraudBurst) > 1 {
		errs = append(errs, &FieldError{"fraud_rate", fmt.Sprintf(
			"%g bursts of %d records per record is more than all records (fraud_rate × fraud_burst must be at most 1)",
			o.FraudRate, o.FraudBurst)})
	}
	return errs
}

// IoTOptions configures the IoT telemetry generator: a fleet of devices, each
// reporting on its own period with its own jitter.
type IoTOptions struct {
	// Devices is the fleet size.
	Devices int `yaml:"devices" json:"devices"`
	// PeriodMin and PeriodMax bound each device's reporting period; a device's
	// period is drawn once, uniformly in between.
	PeriodMin time.Duration `yaml:"period_min" json:"period_min"`
	PeriodMax time.Duration `yaml:"period_max" json:"period_max"`
	// Jitter is the fraction (0..1) of its period by which a device's report
	// time varies.
	Jitter float64 `yaml:"jitter" json:"jitter"`
	// BurstRate is the share of reports (0..1) that start a burst;
	// BurstRate × BurstSize is at most 1.
	BurstRate float64 `yaml:"burst_rate" json:"burst_rate"`
	// BurstSize is how many back-to-back reports a burst makes.
	BurstSize int `yaml:"burst_size" json:"burst_size"`
}

// DefaultIoTOptions returns the IoT generator's defaults.
func DefaultIoTOptions() IoTOptions {
	return IoTOptions{Devices: 1000, PeriodMin: 500 * time.Millisecond, PeriodMax: 5 * time.Second,
		Jitter: 0.1, BurstRate: 0, BurstSize: 10}
}

// Generator implements Options.
func (o *IoTOptions) Generator() string { return "iot" }

// Validate implements Options.
func (o *IoTOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Devices < 1 {
		errs = append(errs, &FieldError{"devices", "must be at least 1"})
	}
	if o.PeriodMin <= 0 {
		errs = append(errs, &FieldError{"period_min", "must be positive"})
	}
	if o.PeriodMax < o.PeriodMin {
		errs = append(errs, &FieldError{"period_max", "must not be less than period_min"})
	}
	if o.Jitter < 0 || o.Jitter > 1 {
		errs = append(errs, &FieldError{"jitter", "must be between 0 and 1"})
	}
	if o.BurstRate < 0 || o.BurstRate > 1 {
		errs = append(errs, &FieldError{"burst_rate", "must be between 0 and 1"})
	}
	if o.BurstSize < 1 {
		errs = append(errs, &FieldError{"burst_size", "must be at least 1"})
	}
	if len(errs) == 0 && o.BurstRate*float64(o.BurstSize) > 1 {
		errs = append(errs, &FieldError{"burst_rate", fmt.Sprintf(
			"%g bursts of %d reports per report is more than all reports (burst_rate × burst_size must be at most 1)",
			o.BurstRate, o.BurstSize)})
	}
	return errs
}

// AcousticOptions configures the ocean-acoustic generator: PCM frames from
// hydrophone arrays. A frame holds FrameLength of audio for every channel,
// so its size is Channels × SampleRate × BitsPerSample/8 × FrameLength
// (16 kHz × 16 bit × 100 ms = 3,200 bytes per channel).
type AcousticOptions struct {
	// Hydrophones is the number of hydrophone arrays; each is one entity.
	Hydrophones int `yaml:"hydrophones" json:"hydrophones"`
	// Channels is the number of channels per array.
	Channels int `yaml:"channels" json:"channels"`
	// SampleRate is in samples per second per channel.
	SampleRate int `yaml:"sample_rate" json:"sample_rate"`
	// BitsPerSample is 8, 16, 24 or 32.
	BitsPerSample int `yaml:"bits_per_sample" json:"bits_per_sample"`
	// FrameLength is the audio duration one record carries.
	FrameLength time.Duration `yaml:"frame_length" json:"frame_length"`
	// Tones are the frequencies in Hz of the steady tones in the signal.
	Tones []float64 `yaml:"tones" json:"tones"`
	// NoiseLevel is the noise amplitude relative to full scale (0..1).
	NoiseLevel float64 `yaml:"noise_level" json:"noise_level"`
	// TransientRate is the share of frames (0..1) that carry a transient.
	TransientRate float64 `yaml:"transient_rate" json:"transient_rate"`
}

// DefaultAcousticOptions returns the acoustic generator's defaults.
func DefaultAcousticOptions() AcousticOptions {
	return AcousticOptions{Hydrophones: 4, Channels: 4, SampleRate: 16000, BitsPerSample: 16,
		FrameLength: 100 * time.Millisecond, Tones: []float64{50, 440}, NoiseLevel: 0.05, TransientRate: 0.01}
}

// Generator implements Options.
func (o *AcousticOptions) Generator() string { return "acoustic" }

// FrameBytes returns the size in bytes of one frame's PCM data.
func (o *AcousticOptions) FrameBytes() int {
	samples := int64(o.SampleRate) * int64(o.FrameLength) / int64(time.Second)
	return int(samples) * o.Channels * o.BitsPerSample / 8
}

// Validate implements Options.
func (o *AcousticOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Hydrophones < 1 {
		errs = append(errs, &FieldError{"hydrophones", "must be at least 1"})
	}
	if o.Channels < 1 || o.Channels > 64 {
		errs = append(errs, &FieldError{"channels", "must be between 1 and 64"})
	}
	if o.SampleRate < 1 || o.SampleRate > 384000 {
		errs = append(errs, &FieldError{"sample_rate", "must be between 1 and 384000"})
	}
	switch o.BitsPerSample {
	case 8, 16, 24, 32:
	default:
		errs = append(errs, &FieldError{"bits_per_sample", "must be 8, 16, 24 or 32"})
	}
	if o.FrameLength <= 0 {
		errs = append(errs, &FieldError{"frame_length", "must be positive"})
	}
	for _, f := range o.Tones {
		if f <= 0 || 2*f > float64(o.SampleRate) {
			errs = append(errs, &FieldError{"tones", fmt.Sprintf("%g Hz must be positive and below half the sample rate", f)})
			break
		}
	}
	if o.NoiseLevel < 0 || o.NoiseLevel > 1 {
		errs = append(errs, &FieldError{"noise_level", "must be between 0 and 1"})
	}
	if o.TransientRate < 0 || o.TransientRate > 1 {
		errs = append(errs, &FieldError{"transient_rate", "must be between 0 and 1"})
	}
	if len(errs) == 0 && o.FrameBytes() == 0 {
		errs = append(errs, &FieldError{"frame_length", "must hold at least one sample at sample_rate"})
	}
	// Kinesis caps one record at 1 MiB; leave room for the envelope.
	if len(errs) == 0 && AcousticHeaderSize+o.FrameBytes() > 1<<20-64 {
		errs = append(errs, &FieldError{"frame_length", fmt.Sprintf("a frame of %d bytes does not fit in a 1 MiB Kinesis record",
			AcousticHeaderSize+o.FrameBytes())})
	}
	return errs
}
