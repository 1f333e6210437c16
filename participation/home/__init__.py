"""The home page, language switch, privacy notice and health check."""
