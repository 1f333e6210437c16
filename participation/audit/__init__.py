"""The action log: who did what, on what, when and why."""
