package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Error types of the authentication checks.
const (
	errMissingAuth       = "MissingAuthenticationTokenException"
	errUnrecognized      = "UnrecognizedClientException"
	errAccessDenied      = "AccessDeniedException"
	sigV4Algorithm       = "AWS4-HMAC-SHA256"
	sigV4CredentialField = "Credential="
)

// Auth makes the simulator check requests' credentials the way AWS does, so
// that the code path kbench uses against real AWS can be tested offline.
// Without it (Config.Auth nil) requests are accepted unchecked. With it:
//   - A request without an AWS4-HMAC-SHA256 Authorization header fails with
//     MissingAuthenticationTokenException, as Kinesis answers an unsigned
//     request.
//   - A request signed with an access key id other than Auth.AccessKeyID
//     fails with UnrecognizedClientException ("The security token included in
//     the request is invalid."), as AWS answers an unknown or deleted key.
//   - An operation listed in Auth.Deny fails with AccessDeniedException naming
//     the IAM action (kinesis:<Operation>), as AWS answers an identity whose
//     policy does not allow it.
//   - All three are HTTP 400 with the usual {"__type", "message"} body and are
//     checked before the request body is read. The signature itself is not
//     verified: the secret key is not checked.
type Auth struct {
	// AccessKeyID is the only access key id accepted. Required.
	AccessKeyID string
	// Deny lists operations (such as "CreateStream") refused with
	// AccessDeniedException, as for an identity whose IAM policy lacks the
	// action.
	Deny []string
}

// validate returns what is wrong with a.
func (a *Auth) validate() error {
	if a.AccessKeyID == "" {
		return fmt.Errorf("sim: auth: the accepted access key id is empty")
	}
	for _, op := range a.Deny {
		if _, ok := operations[op]; !ok {
			return fmt.Errorf("sim: auth: deny %q: not an operation the simulator serves", op)
		}
	}
	return nil
}

// checkAuth applies s.cfg.Auth to a request for operation op; nil means the
// request may proceed.
func (s *Server) checkAuth(r *http.Request, op string) *apiError {
	a := s.cfg.Auth
	if a == nil {
		return nil
	}
	key, ok := sigV4AccessKey(r.Header.Get("Authorization"))
	if !ok {
		return newError(errMissingAuth, "Missing Authentication Token")
	}
	if key != a.AccessKeyID {
		return newError(errUnrecognized, "The security token included in the request is invalid.")
	}
	if slices.Contains(a.Deny, op) {
		return newError(errAccessDenied,
			"User: arn:aws:iam::%s:user/kbench-test is not authorized to perform: kinesis:%s on resource: arn:aws:kinesis:%s:%s:stream/* because no identity-based policy allows the kinesis:%s action",
			accountID, op, region, accountID, op)
	}
	return nil
}

// sigV4AccessKey returns the access key id of a SigV4 Authorization header
// ("AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=..., Signature=..."), and whether the header has that shape.
func sigV4AccessKey(h string) (string, bool) {
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return "", false
	}
	for field := range strings.SplitSeq(rest, ",") {
		cred, ok := strings.CutPrefix(strings.TrimSpace(field), sigV4CredentialField)
		if !ok {
			continue
		}
		key, scope, ok := strings.Cut(cred, "/")
		if !ok || key == "" || scope == "" {
			return "", false
		}
		return key, true
	}
	return "", false
}
