from django.contrib import admin  # noqa: F401

from deesc_lms.calls import admin_analysis, admin_ingest  # noqa: F401
