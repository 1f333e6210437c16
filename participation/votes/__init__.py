"""Supports for proposals and "this affects me too" on issues: one per resident, counted."""
