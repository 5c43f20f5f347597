"""Two-factor authentication for the newsroom: who owes a second factor, the
pages that take it (an authenticator app's code, a passkey or a backup code),
enrolment, each person's devices, and the Chief's reset.

Built on django-otp (TOTP devices, static backup codes, the session's verified
device) and django-otp-webauthn (passkeys). See docs/settings.md,
DATELINE_REQUIRE_TWO_FACTOR.
"""
