"""Named signals through which rubrics talks to the apps above it (lti puts scores in the outbox)."""

from django.dispatch import Signal

# Sent inside the transaction that stored a grade; kwargs: grade.
grade_recorded = Signal()
