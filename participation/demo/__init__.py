"""Demo data: a believable Thai municipality for trying Ruamkid."""
