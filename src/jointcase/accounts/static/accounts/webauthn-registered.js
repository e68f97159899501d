// After a security key or passkey is registered, reload "Your account" so that the new key
// appears in the list of second factors (the library's script only updates its status text).
document.addEventListener("otp_webauthn.register_complete", () => {
  window.setTimeout(() => window.location.reload(), 1200);
});
