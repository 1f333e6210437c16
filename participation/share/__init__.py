"""Sharing pages on LINE and Facebook: Open Graph tags, share images drawn here, share links."""
