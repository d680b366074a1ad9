"""Developing new members: candidates, the admission steps and their deadlines, probation and
recognition, and yearly admission targets (RULES.md §2.1, §3, §13.1)."""
