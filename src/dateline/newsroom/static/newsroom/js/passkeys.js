// After django-otp-webauthn's script registers a passkey, show the person
// their devices (with the new passkey and the backup codes' button).
document.addEventListener("otp_webauthn.register_complete", () => {
  const done = document.getElementById("twofactor-passkey");
  if (done) {
    window.location.assign(done.dataset.doneUrl);
  }
});
