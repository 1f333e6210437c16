"""Search over titles and bodies that works for Thai (no spaces between words)."""
