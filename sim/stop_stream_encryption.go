package sim

// Behavior:
//   - Takes EncryptionType KMS and a KeyId as StartStreamEncryption does
//     (the same validation). The stream is UPDATING for
//     Config.UpdateDelay, then ACTIVE with EncryptionType NONE.
//   - ACTIVE streams only (ResourceInUseException).

import "net/http"

func (s *Server) stopStreamEncryption(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	return s.changeEncryption(w, body, encryptionNone)
}
