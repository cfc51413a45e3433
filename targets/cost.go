package targets

import (
	"fmt"
	"strings"
	"time"
)

// Kinesis Data Streams prices in us-east-1 (from the AWS price list; check
// the live pricing page before quoting).
const (
	PriceShardHour          = 0.015 // USD per provisioned shard-hour
	PricePerMillionPutUnits = 0.014 // USD per million 25 KB PUT payload units
	PriceOnDemandStreamHour = 0.04  // USD per on-demand stream-hour
	PriceOnDemandPerGBIn    = 0.08  // USD per GB written to an on-demand stream
	PriceOnDemandPerGBOut   = 0.04  // USD per GB read from an on-demand stream by shared-throughput (polling) consumers
	PriceFanOutShardHour    = 0.015 // USD per enhanced fan-out consumer-shard-hour (provisioned)
	PriceFanOutPerGB        = 0.013 // USD per GB pushed to enhanced fan-out consumers (provisioned)
	PriceOnDemandFanOutGB   = 0.05  // USD per GB pushed to enhanced fan-out consumers (on-demand)
)

// Billing units: a PUT payload unit is a 25 KB chunk of a record; on-demand
// ingress rounds each record up to 1 KB; a GB is 2^30 bytes.
const (
	putUnitBytes     = 25 << 10
	onDemandMinBytes = 1 << 10
	bytesPerGB       = 1 << 30
)

// Cost is an estimate of what a run costs on real Kinesis: capacity (shard-
// or stream-hours) plus data in. Reads, enhanced fan-out, extended retention
// and the stream's life before and after the run are not included.
type Cost struct {
	// OnDemand tells which pricing applies.
	OnDemand bool `json:"on_demand"`
	// Hours is the billed duration.
	Hours float64 `json:"hours"`
	// CapacityHours is shard-hours (provisioned) or stream-hours (on-demand).
	CapacityHours float64 `json:"capacity_hours"`
	// CapacityUSD is CapacityHours times its price.
	CapacityUSD float64 `json:"capacity_usd"`
	// PutUnits is the PUT payload units written (provisioned only).
	PutUnits float64 `json:"put_units"`
	// GBIn is the billed ingress in GB (on-demand only).
	GBIn float64 `json:"gb_in"`
	// DataUSD is the charge for PutUnits or GBIn.
	DataUSD float64 `json:"data_usd"`
	// TotalUSD is CapacityUSD plus DataUSD.
	TotalUSD float64 `json:"total_usd"`
}

// EstimateCost estimates the us-east-1 cost of writing records of
// avgRecordBytes each for d to a stream of the given shards (ignored when
// onDemand).
func EstimateCost(shards int, onDemand bool, d time.Duration, records int64, avgRecordBytes int) Cost {
	c := Cost{OnDemand: onDemand, Hours: max(d.Hours(), 0)}
	records = max(records, 0)
	size := int64(max(avgRecordBytes, 0))
	if onDemand {
		c.CapacityHours = c.Hours
		c.CapacityUSD = c.CapacityHours * PriceOnDemandStreamHour
		billed := max(ceilDiv(size, onDemandMinBytes), 1) * onDemandMinBytes
		c.GBIn = float64(records) * float64(billed) / bytesPerGB
		c.DataUSD = c.GBIn * PriceOnDemandPerGBIn
	} else {
		c.CapacityHours = float64(max(shards, 0)) * c.Hours
		c.CapacityUSD = c.CapacityHours * PriceShardHour
		c.PutUnits = float64(records * max(ceilDiv(size, putUnitBytes), 1))
		c.DataUSD = c.PutUnits / 1e6 * PricePerMillionPutUnits
	}
	c.TotalUSD = c.CapacityUSD + c.DataUSD
	return c
}

// String renders the estimate on one line, showing how it was computed.
func (c Cost) String() string {
	if c.OnDemand {
		return fmt.Sprintf("estimated AWS cost $%.4f (on-demand: %.3g stream-hours × $%.2f = $%.4f; %.4g GB in × $%.2f = $%.4f; us-east-1 prices, reads not included)",
			c.TotalUSD, c.CapacityHours, PriceOnDemandStreamHour, c.CapacityUSD, c.GBIn, PriceOnDemandPerGBIn, c.DataUSD)
	}
	return fmt.Sprintf("estimated AWS cost $%.4f (provisioned: %.3g shard-hours × $%.3f = $%.4f; %.4g M PUT payload units × $%.3f = $%.4f; us-east-1 prices, reads not included)",
		c.TotalUSD, c.CapacityHours, PriceShardHour, c.CapacityUSD, c.PutUnits/1e6, PricePerMillionPutUnits, c.DataUSD)
}

// RunPlan is what a run will do, as far as its AWS bill is concerned.
type RunPlan struct {
	// Shards is the shard count of a provisioned stream (ignored when
	// OnDemand). Fan-out consumer-shard-hours are counted on it.
	Shards int
	// OnDemand selects on-demand pricing.
	OnDemand bool
	// Existing means the stream already exists and outlives the run: its
	// shard- or stream-hours are not the run's to pay, so they are left out.
	Existing bool
	// Duration is how long the stream and its consumers live for the run.
	Duration time.Duration
	// Records is how many records the run writes.
	Records int64
	// AvgRecordBytes is their average size, partition key included.
	AvgRecordBytes int
	// PollingConsumers is how many applications read every record through
	// GetRecords (free on provisioned streams, billed per GB on-demand).
	PollingConsumers int
	// FanOutConsumers is how many enhanced fan-out consumers are registered,
	// each reading every record.
	FanOutConsumers int
}

// CostItem is one line of a cost estimate: a billed quantity at its price.
type CostItem struct {
	// What is billed, such as "shard-hours".
	What string `json:"what"`
	// Quantity is how many units are billed.
	Quantity float64 `json:"quantity"`
	// Price is the USD price of one unit.
	Price float64 `json:"price_usd"`
	// USD is Quantity times Price.
	USD float64 `json:"usd"`
}

// RunCost is the estimated us-east-1 cost of one or more runs, line by line.
type RunCost struct {
	// Items are the billed quantities; items with nothing to bill are left
	// out.
	Items []CostItem `json:"items"`
	// TotalUSD is the sum of the items' USD.
	TotalUSD float64 `json:"total_usd"`
}

// EstimateRun estimates the us-east-1 cost of a run: capacity and data in as
// EstimateCost computes them (capacity left out for an existing stream),
// plus, on provisioned streams, enhanced fan-out consumer-shard-hours and
// fan-out GB; on on-demand streams, GB read by polling consumers and fan-out
// GB. A GB is 2^30 bytes. Extended retention and the minutes a stream takes
// to create and delete are not included.
func EstimateRun(p RunPlan) RunCost {
	base := EstimateCost(p.Shards, p.OnDemand, p.Duration, p.Records, p.AvgRecordBytes)
	readGB := float64(max(p.Records, 0)) * float64(max(p.AvgRecordBytes, 0)) / bytesPerGB
	fanOut := float64(max(p.FanOutConsumers, 0))
	var rc RunCost
	if p.OnDemand {
		if !p.Existing {
			rc.add("on-demand stream-hours", base.CapacityHours, PriceOnDemandStreamHour)
		}
		rc.add("GB in (records rounded up to 1 KB)", base.GBIn, PriceOnDemandPerGBIn)
		rc.add("GB out to polling consumers", readGB*float64(max(p.PollingConsumers, 0)), PriceOnDemandPerGBOut)
		rc.add("GB out to enhanced fan-out consumers", readGB*fanOut, PriceOnDemandFanOutGB)
		return rc
	}
	if !p.Existing {
		rc.add("shard-hours", base.CapacityHours, PriceShardHour)
	}
	rc.add("million PUT payload units", base.PutUnits/1e6, PricePerMillionPutUnits)
	rc.add("enhanced fan-out consumer-shard-hours", fanOut*base.CapacityHours, PriceFanOutShardHour)
	rc.add("GB out to enhanced fan-out consumers", readGB*fanOut, PriceFanOutPerGB)
	return rc
}

// add appends a line for quantity units at price, unless quantity is 0.
func (c *RunCost) add(what string, quantity, price float64) {
	if quantity <= 0 {
		return
	}
	usd := quantity * price
	c.Items = append(c.Items, CostItem{What: what, Quantity: quantity, Price: price, USD: usd})
	c.TotalUSD += usd
}

// Add merges o into c: items billed alike are summed, new ones appended.
func (c *RunCost) Add(o RunCost) {
	for _, it := range o.Items {
		found := false
		for i := range c.Items {
			if c.Items[i].What == it.What && c.Items[i].Price == it.Price {
				c.Items[i].Quantity += it.Quantity
				c.Items[i].USD += it.USD
				found = true
				break
			}
		}
		if !found {
			c.Items = append(c.Items, it)
		}
		c.TotalUSD += it.USD
	}
}

// String renders the estimate as a total followed by one indented line per
// item.
func (c RunCost) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "estimated AWS cost $%.4f (us-east-1 prices; check the live pricing page)", c.TotalUSD)
	for _, it := range c.Items {
		fmt.Fprintf(&b, "\n  %-40s %12.6g × $%-6g = $%.4f", it.What, it.Quantity, it.Price, it.USD)
	}
	return b.String()
}

// ceilDiv returns a/b rounded up, for a >= 0 and b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
