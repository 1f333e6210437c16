"""Participatory budgeting: costed projects, ballots, and the rules that choose the winners."""
