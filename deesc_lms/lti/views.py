"""LTI 1.3 endpoints: OIDC login initiation, launch, deep linking, the tool's JWKS and configuration.

The platform posts to these from another origin, so they are CSRF-exempt; every message is instead
checked by pylti1p3 (state cookie, nonce, the platform's signature from its JWKS, deployment id).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from deesc_lms.api_errors import DeescError
from deesc_lms.lti import claims, services
from deesc_lms.lti.keys import jwks, tool_key_active
from deesc_lms.lti.tool_conf import DbToolConf
from scenarios.models import Attempt, Module

logger = logging.getLogger(__name__)


def _refuse(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    logger.warning("LTI refused: %s", message)
    return render(request, "lti/error.html", {"message": message}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponseBase:
    target = (
        request.POST.get("target_link_uri")
        or request.GET.get("target_link_uri")
        or f"{settings.DEESC_PUBLIC_URL}/lti/launch"
    )
    try:
        return DjangoOIDCLogin(request, DbToolConf()).redirect(target)
    except (LtiException, OIDCException) as exc:
        return _refuse(request, f"Login refused: {exc}")


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponseBase:
    conf = DbToolConf()
    message_launch = DjangoMessageLaunch(request, conf)
    try:
        data = message_launch.get_launch_data()
    except LtiException as exc:
        return _refuse(request, f"Launch refused: {exc}", status=401)
    lti = claims.Launch.from_claims(dict(data))
    registration = conf.registration_row(lti.issuer, lti.client_id)
    if registration is None:  # validated a moment ago; only a concurrent delete gets here
        return _refuse(request, "This LMS is not registered with deesc.", status=401)
    try:
        result = services.launch_accept(launch=lti, registration=registration)
    except DeescError as exc:
        return _refuse(request, exc.message)
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["deesc_agent_id"] = result.agent.pk
    request.session["deesc_channel"] = Attempt.Channel.LTI
    if message_launch.is_deep_link_launch():
        request.session["deesc_deep_link"] = {
            "iss": lti.issuer,
            "client_id": lti.client_id,
            "deployment_id": lti.deployment_id,
            "settings": data.get(claims.DEEP_LINKING_SETTINGS, {}),
        }
        modules = Module.objects.order_by("title")
        return render(request, "lti/deep_link.html", {"modules": modules})
    module = Module.objects.filter(slug=lti.module_slug).first() if lti.module_slug else None
    if module is None:
        return _refuse(
            request, "This link points at no deesc module: ask the course designer to add it again.", status=404
        )
    launches = request.session.get("deesc_lti_launch", {})
    launches[module.slug] = result.lti_context
    request.session["deesc_lti_launch"] = launches
    return redirect("scenarios:module", slug=module.slug)


@require_POST
def deep_link_return(request: HttpRequest) -> HttpResponseBase:
    """The designer picked modules: answer the platform with a signed LtiDeepLinkingResponse."""
    pending = request.session.get("deesc_deep_link")
    if not pending or not request.user.is_authenticated:
        return _refuse(request, "No deep-linking request in progress: start again from the LMS.", status=403)
    slugs = request.POST.getlist("module")
    modules = list(Module.objects.filter(slug__in=slugs).order_by("title"))
    if not modules:
        return _refuse(request, "Choose at least one module.")
    conf = DbToolConf()
    registration = conf.find_registration_by_params(pending["iss"], pending["client_id"])
    if registration is None:
        return _refuse(request, "This LMS is no longer registered with deesc.", status=403)
    resources = [
        DeepLinkResource()
        .set_url(f"{settings.DEESC_PUBLIC_URL}/lti/launch")
        .set_title(module.title)
        .set_custom_params({"module": module.slug})
        # A line item per module, scored 0..100 like every deesc grade.
        .set_lineitem(LineItem().set_score_maximum(100).set_label(module.title).set_resource_id(module.slug))
        for module in modules
    ]
    deep_link = DeepLink(registration, pending["deployment_id"], pending["settings"])
    del request.session["deesc_deep_link"]
    return HttpResponse(deep_link.output_response_form(resources))


@require_GET
def tool_jwks(request: HttpRequest) -> JsonResponse:
    tool_key_active()  # the first request creates the key
    return JsonResponse(jwks())


@require_GET
def tool_configuration(request: HttpRequest) -> JsonResponse:
    """What an LMS administrator enters when registering deesc (Moodle's and Canvas's forms ask for these)."""
    base = settings.DEESC_PUBLIC_URL
    return JsonResponse(
        {
            "title": "deesc de-escalation training",
            "description": "Practise de-escalation on real calls; scores go to the gradebook.",
            "oidc_initiation_url": f"{base}/lti/login",
            "target_link_uri": f"{base}/lti/launch",
            "redirect_uris": [f"{base}/lti/launch"],
            "public_jwk_url": f"{base}/lti/jwks",
            "deep_linking_url": f"{base}/lti/launch",
            "scopes": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            ],
        }
    )
