"""The FastAPI application factory. Nothing is built at import time: `create_app(settings)`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

from server.access.router import router as rights_router
from server.audit.checkpoints import CheckpointWriter
from server.audit.router import router as audit_router
from server.catalogue.router import router as catalogue_router
from server.checks.rational_use import rational_use_for_url
from server.circulation import links as circulation_links
from server.circulation.background import lock_expiry_loop
from server.circulation.carrier import carrier_for_url
from server.circulation.patient_router import router as circulation_patient_router
from server.circulation.pharmacy_router import router as pharmacy_router
from server.circulation.router import carrier_router
from server.circulation.router import router as circulation_router
from server.clinical.router import router as clinical_router
from server.core.clock import Clock
from server.core.db import Database
from server.core.errors import install_error_handlers
from server.core.keys import KeyMaterial
from server.core.services import Services
from server.core.unit_of_work import UnitOfWorkMiddleware
from server.delivery.router import router as tariffs_router
from server.events.hub import EventHub
from server.events.router import router as events_router
from server.fhir import app as fhir_app
from server.health.router import router as health_router
from server.hl7 import dispense as hl7_dispense
from server.idempotency.store import StoredResponse
from server.identity.router import auth_router, users_router
from server.incidents.background import escalation_loop as incident_escalation_loop
from server.incidents.router import router as incidents_router
from server.insurance.client import insurance_platform_for_url
from server.knowledge.router import router as knowledge_router
from server.metrics.http import RequestMetrics, RequestMetricsMiddleware
from server.metrics.router import router as metrics_router
from server.notifications.background import delivery_loop
from server.notifications.gateway import gateway_for_url
from server.notifications.router import router as notifications_router
from server.ops.devices.router import router as devices_router
from server.ops.retention import retention_loop
from server.organisations.router import router as organisations_router
from server.outbox import destinations as outbox_destinations
from server.outbox.relay import relay_loop
from server.outbox.router import router as outbox_router
from server.patient_access.router import patient_router, slip_router
from server.patient_access.router import router as patient_access_router
from server.patients.router import router as patients_router
from server.payments.gateway import payment_gateway_for_url
from server.payments.router import router as payments_router
from server.payments.sandbox import SandboxGateway
from server.payments.sandbox_router import router as payments_sandbox_router
from server.personal_data.cipher import FieldCipher
from server.pharmacies.router import router as pharmacies_router
from server.platform_settings.router import router as settings_router
from server.prescriptions.background import escalation_loop
from server.prescriptions.review_router import router as review_router
from server.prescriptions.router import router as prescriptions_router
from server.prescriptions.router import templates_router
from server.settings import Settings
from server.signatures.router import certificates_router, me_router
from server.signatures.router import users_router as user_certificates_router

API_TITLE = "处方流转平台 API"


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    keys = KeyMaterial.load(settings.key_dir)
    clock = clock or Clock()
    return Services(
        settings=settings,
        db=Database(settings.database_url, settings.database_replica_urls,
                    pool_size=settings.db_pool_size,
                    replica_retry_seconds=settings.replica_retry_seconds),
        keys=keys,
        cipher=FieldCipher(keys.keyring, algorithm=settings.field_cipher),
        clock=clock,
        rational_use=rational_use_for_url(settings.rational_use_url,
                                          timeout=settings.rational_use_timeout),
        carrier=carrier_for_url(settings.carrier_url),
        notification_gateway=gateway_for_url(settings.sms_gateway_url,
                                             timeout=settings.sms_gateway_timeout),
        payment_gateway=payment_gateway_for_url(settings.payment_gateway_url,
                                                key_dir=settings.key_dir, clock=clock),
        insurance=insurance_platform_for_url(settings.insurance_url,
                                             credentials_file=settings.insurance_credentials,
                                             timeout=settings.insurance_timeout),
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    # Circulation listens for payments and voided prescriptions (idempotent registration).
    circulation_links.install()
    # Orders of HIS-placed prescriptions report back to the HIS through the outbox.
    hl7_dispense.install()
    services = build_services(settings, clock)
    checkpoints = CheckpointWriter(settings.audit_checkpoint_dir, services.keys.audit_signing_key,
                                   every=settings.audit_checkpoint_every)

    event_hub = EventHub(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One LISTEN connection per process feeds every live-event stream of this process.
        await event_hub.start()
        # The loops stop at the end of their round when asked: one cancelled while connecting
        # would leave a server backend waiting in authentication (and a DROP DATABASE with it).
        stopping = asyncio.Event()
        background = [asyncio.create_task(escalation_loop(services, stopping)),
                      asyncio.create_task(lock_expiry_loop(services, stopping)),
                      asyncio.create_task(incident_escalation_loop(services, stopping)),
                      asyncio.create_task(retention_loop(services, stopping))]
        if settings.notification_delivery:
            background.append(asyncio.create_task(delivery_loop(services, stop=stopping),
                                                  name="rxp-notification-delivery"))
        outbox = outbox_destinations.build(services) if settings.outbox_relay else None
        if outbox is not None:
            background.append(asyncio.create_task(
                relay_loop(services, outbox.handlers, stop=stopping), name="rxp-outbox-relay"))
        app.state.background_tasks = background
        try:
            yield
        finally:
            stopping.set()
            _, late = await asyncio.wait(background, timeout=5)
            for task in late:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            if outbox is not None:
                await outbox.aclose()
            await event_hub.stop()
            for adapter in (services.rational_use, services.notification_gateway,
                            services.insurance):
                close = getattr(adapter, "aclose", None)
                if close is not None:
                    await close()
            await services.payment_gateway.aclose()
            await services.db.dispose()

    app = FastAPI(
        title=API_TITLE, version="1.0.0", lifespan=lifespan,
        description="医院集团处方流转平台：开方、审方、流转、购药、配送、追溯。错误统一为 "
                    '`{"error": 类名, "detail": 中文说明}`。',
    )
    app.state.services = services
    app.state.checkpoints = checkpoints
    app.state.event_hub = event_hub
    install_error_handlers(app)

    @app.exception_handler(StoredResponse)
    async def on_stored(request: Request, exc: StoredResponse) -> Response:
        return Response(exc.body, status_code=exc.status_code, media_type=exc.content_type,
                        headers={"Idempotent-Replayed": "true"})

    for router in (health_router, auth_router, users_router, organisations_router,
                   patients_router, audit_router, catalogue_router,
                   user_certificates_router, certificates_router, me_router, events_router,
                   clinical_router, knowledge_router, prescriptions_router, templates_router,
                   review_router, settings_router, pharmacies_router, tariffs_router,
                   patient_access_router, patient_router, slip_router, payments_router,
                   circulation_patient_router, pharmacy_router, circulation_router,
                   carrier_router, metrics_router, incidents_router, devices_router,
                   outbox_router, rights_router, notifications_router):
        app.include_router(router)
    sandbox = isinstance(services.payment_gateway, SandboxGateway)
    if sandbox and settings.environment != "production":
        # The wallet app's stand-in: in production anyone could mark a trade paid with it.
        app.include_router(payments_sandbox_router)
    # FHIR R4 for the HIS and the regional system, with OperationOutcome errors of its own.
    fhir_app.mount(app, services)
    app.add_middleware(UnitOfWorkMiddleware, services=services,
                       on_audit_appended=checkpoints.on_appended)
    app.add_middleware(fhir_app.PlatformErrorsAsOutcome)
    # Added last, so it runs outermost: it times the whole request, commit included.
    app.state.request_metrics = RequestMetrics()
    app.add_middleware(RequestMetricsMiddleware, metrics=app.state.request_metrics)
    return app
