"""Accounts and tokens: register, log in, refresh, log out, and who a token belongs to."""
