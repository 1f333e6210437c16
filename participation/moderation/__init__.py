"""Moderation: reports, the moderation queue, hiding and restoring content, suspensions."""
