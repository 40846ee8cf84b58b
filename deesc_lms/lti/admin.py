from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from deesc_lms.lti import services
from deesc_lms.lti.models import GradeDelivery, Registration, ToolKey


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    list_display = ["name", "issuer", "client_id", "created_at"]
    search_fields = ["name", "issuer", "client_id"]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin[ToolKey]):
    list_display = ["kid", "active", "created_at"]
    # The private key never shows in the admin.
    exclude = ["private_pem"]
    readonly_fields = ["kid", "public_pem", "created_at"]


@admin.register(GradeDelivery)
class GradeDeliveryAdmin(admin.ModelAdmin[GradeDelivery]):
    list_display = ["id", "grade", "target", "status", "tries", "next_try_at", "sent_at", "short_error"]
    list_filter = ["status", "target"]
    readonly_fields = ["grade", "target", "destination", "payload", "tries", "last_error", "sent_at", "created_at"]
    actions = ["retry_now"]

    @admin.display(description="last error")
    def short_error(self, obj: GradeDelivery) -> str:
        return obj.last_error[:80]

    @admin.action(description="Send the selected scores now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[GradeDelivery]) -> None:
        sent = 0
        for delivery in queryset.filter(status__in=[GradeDelivery.Status.PENDING, GradeDelivery.Status.FAILED]):
            if delivery.status == GradeDelivery.Status.FAILED:
                delivery.status = GradeDelivery.Status.PENDING
                delivery.next_try_at = timezone.now()
                delivery.save(update_fields=["status", "next_try_at"])
            sent += services.delivery_send(delivery=delivery).status == GradeDelivery.Status.SENT
        self.message_user(request, f"{sent} of {queryset.count()} score(s) sent.")
