"""Accounts: registration, sign-in, sessions, password reset, profile and roles."""
