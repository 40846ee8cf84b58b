"""Every write in the calls app. Ingest (files in, transcription) and analysis (escalation flags)
live in their own modules and are re-exported here, so callers import `deesc_lms.calls.services`."""

from deesc_lms.calls.services.analysis import *  # noqa: F403
from deesc_lms.calls.services.ingest import *  # noqa: F403
