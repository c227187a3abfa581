"""Every screen of the app filled with real data, synchronously (for screenshots): a hospital
administrator's tabs, the user form refusing two separated roles, a refused knowledge import
with its report, the incidents with their clocks and the monthly report, the system state as
the system administrator sees it (integration outbox, kiosk devices), and the auditor's
verification, log and trace."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from client_admin.admin_api import AdminApi
from client_admin.configuration import SETTING_KEYS
from client_admin.rights import RightsMatrix
from client_admin.ui.audit_view import AuditView
from client_admin.ui.catalogue_view import CatalogueView
from client_admin.ui.configuration_view import ConfigurationView
from client_admin.ui.incidents_view import IncidentsView
from client_admin.ui.knowledge_view import KnowledgeView
from client_admin.ui.main_window import MainWindow
from client_admin.ui.organisations_view import OrganisationsView
from client_admin.ui.pharmacies_view import PharmaciesView
from client_admin.ui.rights_view import RightsView
from client_admin.ui.services import AppServices
from client_admin.ui.statistics_view import StatisticsView
from client_admin.ui.system_view import SystemView
from client_admin.ui.users_view import UserDialog, UsersView
from common.api import ApiClient
from common.api.errors import ApiError
from common.qt.clock import Clock, utc_now
from common.qt.worker import Worker

# A knowledge import with one bad row (level 7 is not on the PASS scale): refused, nothing stored.
BAD_INTERACTIONS = ("id,a,b,level,message,advice,mechanism\n"
                    "DDI-1,华法林,阿司匹林,2,出血风险增加,监测INR,\n"
                    "DDI-2,阿莫西林,二甲双胍,7,级别填写错误的示例行,,\n")


# What an administrator's desk screen shows (1366x768 and larger).
SCREEN_SIZE = (1280, 760)


def services_for(api: ApiClient) -> AppServices:
    return AppServices(api=api, admin=AdminApi(api), worker=Worker(), me=api.me())


def build_screens(admin_api: ApiClient, auditor_api: ApiClient,
                  system_api: ApiClient | None = None, *,
                  clock: Clock = utc_now) -> dict[str, QWidget]:
    """`system_api`: the system administrator's, for the system screen (the outbox of messages
    to other systems is theirs alone); without it the hospital administrator's. `clock`: the
    statistics' period ends on its today (the server's, where it runs on a clock of its own)."""
    services = services_for(admin_api)
    admin = services.admin
    organisations = admin.organisations()
    window = MainWindow(services)
    users = window.pages["users"]
    assert isinstance(users, UsersView)
    users._on_loaded((organisations, admin.users()))
    screens: dict[str, QWidget] = {"users": window}

    dialog = UserDialog(organisations)
    dialog.username.setText("zhang_admin")
    dialog.display_name.setText("张三")
    dialog.password.setText("Ward-7#Night-Shift")
    for role in ("system_admin", "auditor"):
        dialog.roles[role].setChecked(True)
    dialog.submit()  # refused in the form: separation of duties
    screens["user_dialog"] = dialog

    tree = OrganisationsView(services)
    tree._on_loaded(organisations)
    screens["organisations"] = tree

    pharmacies = PharmaciesView(services)
    listed = admin.pharmacies()
    pharmacies._on_loaded(listed)
    waiting = next((i for i, p in enumerate(listed) if p["status"] == "pending"), None)
    if waiting is not None:
        pharmacies.table.blockSignals(True)
        pharmacies.table.selectRow(waiting)
        pharmacies.table.blockSignals(False)
        pharmacies._enable()
        pharmacies._on_history_loaded(admin.pharmacy_history(listed[waiting]["id"]))
    screens["pharmacies"] = pharmacies

    catalogue = CatalogueView(services)
    catalogue.status.blockSignals(True)
    catalogue.status.setCurrentIndex(catalogue.status.findData("active"))
    catalogue.status.blockSignals(False)
    products = admin.products(status="active")
    catalogue._on_loaded(products)
    if products:
        catalogue.table.blockSignals(True)
        catalogue.table.selectRow(0)
        catalogue.table.blockSignals(False)
        catalogue._enable()
        catalogue.show_detail(admin.product(products[0]["id"]))
    screens["catalogue"] = catalogue

    reviewing = admin.reviewing_rights()
    rights = RightsView(services)
    rights._on_loaded((organisations, reviewing), load_department=False)
    department_id = rights.department.currentData()
    if department_id:
        rights.prescribing.show_matrix(RightsMatrix.prescribing(
            admin.prescribing_rights(department_id)))
    screens["rights_prescribing"] = rights
    templates = RightsView(services)
    templates._on_loaded((organisations, reviewing), load_department=False)
    templates.tabs.setCurrentIndex(2)
    # The first department that has shared templates, else the first one.
    for index in range(templates.department.count()):
        shared = admin.department_templates(templates.department.itemData(index))
        if shared or index == templates.department.count() - 1:
            templates.department.blockSignals(True)
            templates.department.setCurrentIndex(index)
            templates.department.blockSignals(False)
            templates.show_templates(shared)
            break
    screens["department_templates"] = templates
    review_rights = RightsView(services)
    review_rights._on_loaded((organisations, reviewing), load_department=False)
    review_rights.tabs.setCurrentIndex(1)
    screens["rights_reviewing"] = review_rights

    sets = admin.knowledge_sets()
    interactions = admin.knowledge_rules("interaction_pair")
    knowledge = KnowledgeView(services)
    knowledge._on_sets_loaded(sets)
    knowledge._on_rules_loaded(interactions)
    screens["knowledge"] = knowledge
    report = KnowledgeView(services)
    report._on_sets_loaded(sets)
    report._on_rules_loaded(interactions)
    try:
        admin.import_knowledge("interaction_pair", BAD_INTERACTIONS,
                               description="含错误行的导入", activate=False)
    except ApiError as exc:
        report._on_import_failed(exc)
    screens["knowledge_report"] = report

    configuration = ConfigurationView(services)
    for key in SETTING_KEYS:
        configuration._on_setting_loaded(admin.setting(key))
    configuration._on_tariffs_loaded(admin.tariffs())
    screens["configuration"] = configuration

    for name, report_name, grouping in [("statistics", "prescriptions", "department"),
                                        ("statistics_reviews", "reviews", "pharmacist")]:
        statistics = StatisticsView(services, clock=clock)
        statistics.choose(report_name, grouping)
        since, until = statistics.period()
        statistics.show_result(report_name, grouping, admin.statistics(
            report_name, group_by=grouping, since=since, until=until))
        screens[name] = statistics

    incidents = admin.incidents()
    for name in ("incidents", "incident_report"):
        view = IncidentsView(services)
        view.show_incidents(incidents)
        # The most urgent one chosen: its timeline and actions.
        if view.rows:
            view.select(view.rows[0].number)
            view.show_detail(admin.incident(view.rows[0].id))
        view.show_report(admin.incident_report())
        if name == "incident_report":
            view.tabs.setCurrentIndex(1)
        screens[name] = view

    system_services = services_for(system_api) if system_api is not None else services
    system_admin = system_services.admin
    system = SystemView(system_services)
    system.show_state(system_admin.readiness())
    if system_services.can("config.manage"):
        system.show_outbox(system_admin.outbox())
    if system_services.can("outbox.manage"):
        system.show_integration(system_admin.integration_outbox(),
                                system_admin.dead_letters())
        if system.dead:
            system.dead_letters.selectRow(0)
    if system_services.can("ops.read"):
        system.show_devices(system_admin.device_status())
    screens["system"] = system

    screens["audit"] = _audit(auditor_api)
    for name, widget in screens.items():
        if name != "user_dialog":
            widget.resize(*SCREEN_SIZE)
    return screens


def _audit(api: ApiClient) -> AuditView:
    services = services_for(api)
    view = AuditView(services)
    view._on_verified(services.admin.verify_audit())
    view._on_events_loaded(services.admin.audit_events(limit=100))
    submitted = services.admin.audit_events(action="prescription.submit", limit=1)["items"]
    if submitted:
        view.trace_input.setText(submitted[0]["entity_id"])
        view._on_trace_loaded(services.admin.prescription_trace(submitted[0]["entity_id"]))
    return view
