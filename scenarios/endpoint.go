package scenarios

import (
	"fmt"
	"net/url"

	"github.com/kbench/kbench/internal/clip"
)

// CheckEndpoint checks a target endpoint as the scenario's target.endpoint
// is checked, for the same value given on the command line: an http:// or
// https:// URL with a host.
func CheckEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return fmt.Errorf("%s is not a URL: %w", clip.Quote(endpoint), err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("%s must be an http:// or https:// URL with a host", clip.Quote(endpoint))
	}
	return nil
}

// CheckRegion checks an AWS region name as target.region is checked.
func CheckRegion(region string) error {
	if !regionRE.MatchString(region) {
		return fmt.Errorf("%s is not a region name such as us-east-1", clip.Quote(region))
	}
	return nil
}
