// Package devices implements the device operations of the user pool API:
// ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus and
// ForgetDevice, and their Admin* forms. Devices are created by sign-in
// (package auth) when the pool remembers devices.
package devices
