"""Teacher accounts: sign-up, log-in, log-out and password change (/auth)."""
