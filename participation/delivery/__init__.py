"""Delivery of accepted proposals: milestones with evidence, budget lines, bulk updates."""
