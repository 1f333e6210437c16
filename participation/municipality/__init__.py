"""The municipality Ruamkid serves, and its communities (areas)."""
