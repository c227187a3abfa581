"""The administration workstation's window: one tab per area the logged-in administrator's
permissions open (the server decides again on every call). A tab reads its data when first
shown; F5 reads the current one again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from client_admin.ui.audit_view import AuditView
from client_admin.ui.catalogue_view import CatalogueView
from client_admin.ui.configuration_view import ConfigurationView
from client_admin.ui.incidents_view import IncidentsView
from client_admin.ui.knowledge_view import KnowledgeView
from client_admin.ui.labels import role_label
from client_admin.ui.organisations_view import OrganisationsView
from client_admin.ui.page import Page
from client_admin.ui.pharmacies_view import PharmaciesView
from client_admin.ui.rights_view import RightsView
from client_admin.ui.services import AppServices
from client_admin.ui.statistics_view import StatisticsView
from client_admin.ui.system_view import SystemView
from client_admin.ui.users_view import UsersView

REFRESH_KEY = "F5"


class MainWindow(QMainWindow):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        me = services.me
        self.setWindowTitle(self.tr("Hospital administration · %1 (%2)")
                            .replace("%1", me.name)
                            .replace("%2", "、".join(role_label(r) for r in me.roles)))
        self.resize(1280, 820)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.pages: dict[str, Page] = {}
        areas: list[tuple[str, str, Callable[[AppServices], Page], tuple[str, ...]]] = [
            ("users", self.tr("Users"), UsersView, ("user.read",)),
            ("organisations", self.tr("Organisations"), OrganisationsView, ("org.manage",)),
            ("pharmacies", self.tr("Pharmacy onboarding"), PharmaciesView,
             ("pharmacy.manage",)),
            ("catalogue", self.tr("Catalogue"), CatalogueView, ("catalogue.approve",)),
            ("rights", self.tr("Rights"), RightsView, ("rights.manage",)),
            ("knowledge", self.tr("Knowledge data"), KnowledgeView, ("knowledge.manage",)),
            ("configuration", self.tr("Configuration"), ConfigurationView,
             ("config.manage",)),
            ("statistics", self.tr("Statistics"), StatisticsView, ("statistics.read",)),
            ("audit", self.tr("Audit and trace"), AuditView, ("audit.read", "trace.read")),
            ("incidents", self.tr("Incidents"), IncidentsView,
             ("ops.read", "incident.manage")),
            ("system", self.tr("System"), SystemView, ()),
        ]
        for name, title, page_class, permissions in areas:
            if permissions and not any(services.can(p) for p in permissions):
                continue
            page = page_class(services)
            page.setObjectName(name)
            self.pages[name] = page
            self.tabs.addTab(page, title)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.setCentralWidget(self.tabs)
        refresh = QAction(self.tr("Refresh"), self)
        refresh.setShortcut(QKeySequence(REFRESH_KEY))
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        self.user_label = QLabel(me.name)
        self.statusBar().addPermanentWidget(self.user_label)

    def start(self) -> None:
        self._on_tabs_current_changed(self.tabs.currentIndex())

    def show_page(self, name: str) -> Page:
        page = self.pages[name]
        self.tabs.setCurrentWidget(page)
        if not page.loaded:
            page.load()
        return page

    def refresh(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, Page):
            page.load()

    def _on_tabs_current_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if isinstance(page, Page) and not page.loaded:
            page.load()
