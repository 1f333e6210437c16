"""Participatory processes: one challenge, three phases (Reframe, Reimagine, Remake)."""
