package userpool

// AccountID is the AWS account of the emulated resources: it appears in
// their ARNs (user pools, identity pools, roles of the demo).
const AccountID = "123456789012"
