"""Threaded comments on issues and proposals, with alignment and votes."""
