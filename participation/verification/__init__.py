"""Resident verification: one resident, one voice, without keeping ID numbers.

See docs/verification.md.
"""
