"""Places: pins on a map, community boundaries, and the map of needs."""
