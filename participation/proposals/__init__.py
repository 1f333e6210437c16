"""Issues (Reframe) and proposals (Reimagine), the council's responses and progress (Remake)."""
