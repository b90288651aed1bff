package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The X-Amz-Target prefixes of the two services, and their content type.
const (
	UserPoolTarget = "AWSCognitoIdentityProviderService."
	IdentityTarget = "AWSCognitoIdentityService."
	ContentType    = "application/x-amz-json-1.1"
)

// Error is an error of the emulated API. It is written on the wire as
// {"__type": Type, "message": Message} with the x-amzn-errortype header,
// which is what the AWS SDKs map onto their typed exceptions.
type Error struct {
	Type    string // e.g. "NotAuthorizedException"
	Message string
	Status  int // 0 means 400
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// HTTPStatus returns the HTTP status of the error.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// Err returns e as an error: nil when e is nil (a nil *Error in an error
// interface would not be nil).
func Err(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// Errorf returns an error of type typ. The format is used as is when there
// are no args.
func Errorf(typ, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Type: typ, Message: msg}
}

// The errors used most often. Messages match Cognito's.

func NotAuthorized(format string, args ...any) *Error {
	return Errorf("NotAuthorizedException", format, args...)
}

func InvalidParameter(format string, args ...any) *Error {
	return Errorf("InvalidParameterException", format, args...)
}

func ResourceNotFound(format string, args ...any) *Error {
	return Errorf("ResourceNotFoundException", format, args...)
}

func UserNotFound() *Error { return Errorf("UserNotFoundException", "User does not exist.") }

func InvalidSession() *Error { return NotAuthorized("Invalid session for the user.") }

func ExpiredSession() *Error {
	return NotAuthorized("Invalid session for the user, session is expired.")
}

func IncorrectPassword() *Error { return NotAuthorized("Incorrect username or password.") }

func CodeMismatch() *Error {
	return Errorf("CodeMismatchException", "Invalid code received for user")
}

// Internal is InternalErrorException, HTTP 500.
func Internal(format string, args ...any) *Error {
	e := Errorf("InternalErrorException", format, args...)
	e.Status = http.StatusInternalServerError
	return e
}

// Decode unmarshals a request body of operation op into v, with the errors
// Cognito answers for malformed bodies.
func Decode(body []byte, op string, v any) error {
	if len(body) == 0 {
		return InvalidParameter("request body is empty; want a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Errorf("SerializationException", "field %s: expected %s", te.Field, te.Type)
		}
		return Errorf("SerializationException", "request body is not valid JSON for %s", op)
	}
	return nil
}

// WriteError writes e as an AWS JSON 1.1 error response.
func WriteError(w http.ResponseWriter, e *Error) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("X-Amzn-Errortype", e.Type)
	w.WriteHeader(e.HTTPStatus())
	json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}

// Epoch is a time written as AWS JSON 1.1 writes timestamps: epoch seconds.
type Epoch time.Time

// MarshalJSON implements json.Marshaler.
func (e Epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

// Attribute is a user or device attribute.
type Attribute struct {
	Name  string
	Value string
}

// CodeDeliveryDetails says where a code was sent.
type CodeDeliveryDetails struct {
	AttributeName  string `json:",omitempty"`
	DeliveryMedium string `json:",omitempty"`
	Destination    string `json:",omitempty"`
}

// Truncate shortens s to n bytes for messages, marking the cut.
func Truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
