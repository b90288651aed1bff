package userpool

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// logAuthEvent records, once tx commits, the userAuthEvents log event of
// ev, an auth event of user u of pool p, when p exports them (see
// SetLogDeliveryConfiguration): the event as Cognito's user activity log
// has it. The emulator scores no risk: riskDecision is PASS.
func (s *Service) logAuthEvent(tx *state.Tx, p *state.Pool, u *state.User, ev *state.AuthEvent) {
	if len(p.LogDelivery) == 0 {
		return
	}
	challenges := make([]map[string]string, len(ev.Challenges))
	for i, c := range ev.Challenges {
		challenges[i] = map[string]string{"challengeName": c.Name, "challengeResponse": c.Response}
	}
	hasContext := "false"
	if ev.IPAddress != "" {
		hasContext = "true"
	}
	msg := map[string]any{
		"version": "1", "eventId": ev.ID, "eventType": ev.Type, "userSub": u.Sub, "userName": u.Username,
		"userPoolId": p.ID, "clientId": "", "creationDate": ev.CreatedAt.UTC().Format("Mon Jan 02 15:04:05 MST 2006"),
		"eventResponse": ev.Response, "riskLevel": "", "riskDecision": "PASS", "challenges": challenges,
		"deviceName": ev.DeviceName, "ipAddress": ev.IPAddress, "requestId": "", "idpName": "",
		"compromisedCredentialDetected": "false", "city": "", "country": "", "eventFeedbackValue": "",
		"eventFeedbackDate": "", "eventFeedbackProvider": "", "hasContextData": hasContext,
	}
	at := ev.CreatedAt
	tx.OnCommit(func() { s.Logs.Record(p, emulator.LogUserAuthEvents, "INFO", at, msg) })
}

// logSenderFailure records the userNotification log event of a message
// whose custom sender trigger failed: Cognito's ERROR event of a failed
// delivery.
func (s *Service) logSenderFailure(p *state.Pool, m emulator.Message, err error) {
	s.Logs.Record(p, emulator.LogUserNotification, "ERROR", s.Now(), emulator.NotificationMessage(m, err.Error()))
}
