// Package mfa implements the MFA operations of the user pool API:
// AssociateSoftwareToken and VerifySoftwareToken (with an access token, or
// with the Session of an MFA_SETUP challenge), SetUserMFAPreference and
// AdminSetUserMFAPreference.
package mfa
