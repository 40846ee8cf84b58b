from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from deesc_lms.packaging.models import Package


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin[Package]):
    list_display = ["module", "standard", "size_bytes", "created_at", "download"]
    list_filter = ["standard"]
    readonly_fields = ["module", "standard", "file", "sha256", "size_bytes", "token", "created_at"]

    @admin.display(description="zip")
    def download(self, obj: Package) -> str:
        return format_html('<a href="/api/packages/{}/download">download</a>', obj.pk)
