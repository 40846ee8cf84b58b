"""Named signals through which scenarios talks to the apps above it (rubrics grades attempts)."""

from django.dispatch import Signal

# Sent inside the transaction that stored the attempt; kwargs: attempt.
attempt_submitted = Signal()
