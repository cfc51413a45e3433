package sim

import (
	"fmt"
	"net/http"
	"strconv"
)

// Error type names as Kinesis puts them in "__type" and X-Amzn-ErrorType.
const (
	errResourceNotFound   = "ResourceNotFoundException"
	errResourceInUse      = "ResourceInUseException"
	errInvalidArgument    = "InvalidArgumentException"
	errThroughputExceeded = "ProvisionedThroughputExceededException"
	errLimitExceeded      = "LimitExceededException"
	errExpiredIterator    = "ExpiredIteratorException"
	errExpiredNextToken   = "ExpiredNextTokenException"
	errInternalFailure    = "InternalFailureException"
	errValidation         = "ValidationException"
	errSerialization      = "SerializationException"
	errUnknownOperation   = "UnknownOperationException"
	recordErrInternal     = "InternalFailure"
	recordErrInternalMsg  = "Internal service failure."
)

// apiError is a Kinesis error response: an HTTP status and the JSON body
// {"__type": Type, "message": Message}.
type apiError struct {
	Status  int
	Type    string
	Message string
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func newError(typ, format string, args ...any) *apiError {
	status := http.StatusBadRequest
	if typ == errInternalFailure {
		status = http.StatusInternalServerError
	}
	msg := fmt.Sprintf(format, args...)
	if len(msg) > maxMessage {
		// A backstop: values are quoted through echo, so only a message
		// quoting several long ones gets here; it keeps its beginning.
		msg = echo(msg)
	}
	return &apiError{Status: status, Type: typ, Message: msg}
}

// maxMessage bounds an error message, in bytes.
const maxMessage = 2048

func errNotFound(format string, args ...any) *apiError {
	return newError(errResourceNotFound, format, args...)
}

func errInUse(format string, args ...any) *apiError {
	return newError(errResourceInUse, format, args...)
}

func errInvalid(format string, args ...any) *apiError {
	return newError(errInvalidArgument, format, args...)
}

func errValidate(format string, args ...any) *apiError {
	return newError(errValidation, "1 validation error detected: "+format, args...)
}

func errSerial(format string, args ...any) *apiError {
	return newError(errSerialization, format, args...)
}

func errThrottled(format string, args ...any) *apiError {
	return newError(errThroughputExceeded, format, args...)
}

// writeError writes e in Kinesis's JSON error shape.
func writeError(w http.ResponseWriter, e *apiError) {
	b := make([]byte, 0, 64+len(e.Message))
	b = append(b, `{"__type":`...)
	b = appendJSONString(b, e.Type)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, e.Message)
	b = append(b, '}')
	h := w.Header()
	h.Set("X-Amzn-ErrorType", e.Type)
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}
