"""Photos on issues and proposals: checked, cleaned, resized, stored and served."""
