package sim

// Behavior:
//   - EncryptionType must be KMS and KeyId 1..2,048 characters
//     (ValidationException; NONE is InvalidArgumentException). The stream
//     is UPDATING for Config.UpdateDelay, then ACTIVE with EncryptionType
//     KMS and that KeyId, which DescribeStream, DescribeStreamSummary,
//     PutRecord and PutRecords report. Nothing is encrypted and no KMS is
//     called.
//   - ACTIVE streams only (ResourceInUseException).

import (
	"net/http"
	"unicode/utf8"
)

type encryptionInput struct {
	streamRef
	EncryptionType string `json:"EncryptionType"`
	KeyID          string `json:"KeyId"`
}

func (s *Server) startStreamEncryption(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	return s.changeEncryption(w, body, encryptionKMS)
}

// changeEncryption is StartStreamEncryption (to KMS) and
// StopStreamEncryption (to NONE).
func (s *Server) changeEncryption(w http.ResponseWriter, body []byte, to string) *apiError {
	var in encryptionInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	switch in.EncryptionType {
	case encryptionKMS:
	case encryptionNone:
		return errInvalid("EncryptionType NONE is not valid here; use KMS.")
	case "":
		return errValidate("Value null at 'encryptionType' failed to satisfy constraint: Member must not be null")
	default:
		return errValidate("Value '%s' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [KMS, NONE]", echo(in.EncryptionType))
	}
	if n := utf8.RuneCountInString(in.KeyID); n < 1 || n > 2048 {
		return errValidate("Value '%s' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048 and greater than or equal to 1", echo(in.KeyID))
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	now := s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if e := st.activeLocked(now); e != nil {
		return e
	}
	st.encryption, st.keyID = to, in.KeyID
	if to == encryptionNone {
		st.keyID = ""
	}
	st.kms.Store(to == encryptionKMS)
	s.beginUpdate(st, now)
	writeJSON(w, struct{}{})
	return nil
}
