"""factory_boy factories for the whole chain."""

from __future__ import annotations

import hashlib

import factory

from deesc_lms.calls.models import Agent, Call, EscalationFlag, Utterance
from deesc_lms.lti.models import Registration
from scenarios.models import Clip, Drill, Module


class AgentFactory(factory.django.DjangoModelFactory[Agent]):
    class Meta:
        model = Agent

    name = factory.Faker("name")
    team = "Billing"
    external_id = factory.Sequence(lambda n: f"agent-{n}")


class CallFactory(factory.django.DjangoModelFactory[Call]):
    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Call {n}")
    agent = factory.SubFactory(AgentFactory)
    source = Call.Source.TRANSCRIPT
    content_hash = factory.Sequence(lambda n: hashlib.sha256(f"call-{n}".encode()).hexdigest())
    status = Call.Status.TRANSCRIBED
    duration_s = 150.0


class UtteranceFactory(factory.django.DjangoModelFactory[Utterance]):
    class Meta:
        model = Utterance

    call = factory.SubFactory(CallFactory)
    index = factory.Sequence(lambda n: n)
    role = Utterance.Role.CUSTOMER
    start_s = 0.0
    end_s = 4.0
    text = "This is the third time I'm calling about this charge."


class EscalationFlagFactory(factory.django.DjangoModelFactory[EscalationFlag]):
    class Meta:
        model = EscalationFlag

    call = factory.SubFactory(CallFactory)
    time_s = 70.0
    severity = 0.8
    trigger = "billing_dispute"
    stage = EscalationFlag.Stage.EXPLANATION
    position = EscalationFlag.Position.MIDDLE
    excerpt = "This is the third time I'm calling about this exact charge."
    outcome = EscalationFlag.Outcome.RECOVERED


class ModuleFactory(factory.django.DjangoModelFactory[Module]):
    class Meta:
        model = Module

    slug = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    trigger = "billing_dispute"


class ClipFactory(factory.django.DjangoModelFactory[Clip]):
    class Meta:
        model = Clip

    module = factory.SubFactory(ModuleFactory)
    call = factory.SubFactory(CallFactory)
    start_s = 50.0
    end_s = 80.0
    transcript = "[1:10] Customer: This is the third time I'm calling."


class DrillFactory(factory.django.DjangoModelFactory[Drill]):
    class Meta:
        model = Drill

    module = factory.SubFactory(ModuleFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = Drill.Kind.COMBINED
    title = "All five steps together"
    instructions = "Put the five steps together."
    customer_line = "This is the third time I'm calling about this exact charge."
    rubric_slug = "combined"


class RegistrationFactory(factory.django.DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    name = "Test LMS"
    issuer = factory.Sequence(lambda n: f"http://127.0.0.1/lms-{n}")
    client_id = factory.Sequence(lambda n: f"client-{n}")
    auth_login_url = "http://127.0.0.1/auth"
    auth_token_url = "http://127.0.0.1/token"
    deployment_ids = ["1"]
