"""Analysing calls: frustration curve, escalation flags, representative calls."""
