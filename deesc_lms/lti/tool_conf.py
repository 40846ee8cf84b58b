"""pylti1p3 tool configuration read from the database: Registration rows and the tool's key."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration as LtiRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from deesc_lms.lti.keys import tool_key_active
from deesc_lms.lti.models import Registration


class DbToolConf(ToolConfAbstract[Any]):
    """One issuer may register the tool several times (one client id per course or tenant)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _to_lti(self, row: Registration) -> LtiRegistration:
        key = tool_key_active()
        reg = LtiRegistration()
        reg.set_issuer(row.issuer).set_client_id(row.client_id)
        reg.set_auth_login_url(row.auth_login_url).set_auth_token_url(row.auth_token_url)
        if row.key_set_url:
            reg.set_key_set_url(row.key_set_url)
        if row.key_set:
            reg.set_key_set(row.key_set)
        reg.set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem)
        return reg

    def _row(self, iss: str, client_id: str | None) -> Registration | None:
        rows = Registration.objects.filter(issuer=iss)
        if client_id:
            rows = rows.filter(client_id=client_id)
        return rows.order_by("pk").first()

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> LtiRegistration:
        row = self._row(iss, None)
        return self._to_lti(row) if row else None  # type: ignore[return-value]  # pylti1p3 checks for None

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any, **kwargs: Any) -> LtiRegistration:
        row = self._row(iss, client_id)
        return self._to_lti(row) if row else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        row = self._row(iss, client_id or None)
        if row is None or deployment_id not in (row.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)

    def registration_row(self, iss: str, client_id: str | None) -> Registration | None:
        return self._row(iss, client_id)
