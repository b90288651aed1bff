// Package users implements the user operations of the user pool API: the
// self-service ones (SignUp, ConfirmSignUp, ResendConfirmationCode,
// ForgotPassword, ConfirmForgotPassword, ChangePassword, GetUser,
// UpdateUserAttributes, DeleteUser, GetUserAttributeVerificationCode,
// VerifyUserAttribute), the administrative ones (AdminCreateUser,
// AdminGetUser, AdminDeleteUser, ..., ListUsers) and groups (CreateGroup,
// GetGroup, ListGroups, DeleteGroup, AdminAddUserToGroup, ...). It also
// serves the Go API that creates users ([Create]).
package users
