"""Following processes and proposals, and in-app notifications (the bell)."""
