"""The group administrator's other screens against the real server: approving a pharmacy's
application, suspending and reinstating a catalogue product and adding a price version,
changing a review time limit, and an edit of the reviewing matrix that someone else changed
meanwhile being refused with a clear message."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from client_admin.statistics import china_today
from client_admin.ui.catalogue_view import CatalogueView
from client_admin.ui.configuration_view import ConfigurationView
from client_admin.ui.pharmacies_view import PharmaciesView
from client_admin.ui.rights_view import RightsView
from client_admin.ui.system_view import SystemView
from common.api.models import TemplateIn
from tests.client_admin.conftest import settled


def test_pharmacy_approval_and_catalogue_status_and_price(qtbot: QtBot, workstation) -> None:
    station, _admin = workstation("admin_group")
    pharmacies = station.window.show_page("pharmacies")
    assert isinstance(pharmacies, PharmaciesView)
    settled(qtbot, pharmacies)
    row = next(i for i, p in enumerate(pharmacies.pharmacies) if p["status"] == "pending")
    pharmacies.table.selectRow(row)
    settled(qtbot, pharmacies)
    assert pharmacies.buttons["approve"].isEnabled()
    assert not pharmacies.buttons["suspend"].isEnabled()
    pharmacy = pharmacies.selected()
    assert pharmacy is not None
    pharmacies.change_status(pharmacy, "approve", None)
    settled(qtbot, pharmacies)
    approved = next(p for p in pharmacies.pharmacies if p["id"] == pharmacy["id"])
    assert approved["status"] == "active"
    assert pharmacies.message.text() == f"{pharmacy['name']}：{approved['status_label']}"

    catalogue = station.window.show_page("catalogue")
    assert isinstance(catalogue, CatalogueView)
    settled(qtbot, catalogue)
    catalogue.status.setCurrentIndex(catalogue.status.findData("active"))
    settled(qtbot, catalogue)
    catalogue.chronic_only.setChecked(True)
    assert catalogue.shown() and all(p["chronic_list"] for p in catalogue.shown())
    catalogue.table.selectRow(0)
    settled(qtbot, catalogue)
    product = catalogue.selected()
    assert product is not None and catalogue.detail is not None
    versions = len(catalogue.detail["prices"])
    tomorrow = (china_today() + timedelta(days=1)).isoformat()
    catalogue.add_price(product, "88.80", tomorrow, "集采调价")
    settled(qtbot, catalogue)
    assert len(catalogue.detail["prices"]) == versions + 1
    assert catalogue.prices.item(0, 0).text() in ("88.80", "88.8000")
    catalogue.change_status(product, "suspend", "质量抽检不合格，暂停流转")
    settled(qtbot, catalogue)
    assert all(p["id"] != product["id"] for p in catalogue.products)  # no longer active
    assert "暂停" in catalogue.message.text()


def test_configuration_save_and_a_stale_rights_edit(qtbot: QtBot, workstation) -> None:
    station, admin = workstation("admin_group")
    configuration = station.window.show_page("configuration")
    assert isinstance(configuration, ConfigurationView)
    settled(qtbot, configuration)
    assert configuration.tariffs.rowCount() > 0
    group = configuration.groups["review_time_limits"]
    spin = group.fields["emergency_minutes"]
    spin.setValue(8)  # type: ignore[attr-defined]
    assert group.save_button is not None
    group.save_button.click()
    settled(qtbot, configuration)
    assert configuration.message.text() == "审方时限已保存。"
    assert admin.api.call("GET", "/settings/review_time_limits")["value"][
        "emergency_minutes"] == 8

    rights = station.window.show_page("rights")
    assert isinstance(rights, RightsView)
    settled(qtbot, rights)
    matrix = rights.reviewing.matrix
    assert matrix is not None
    # Someone else changes the reviewing matrix after this screen read it.
    admin.api.call("PUT", "/rights/reviewing", {
        "cells": [*matrix.previous_body(), {"level": "chief_pharmacist",
                                            "drug_class": "narcotic"}],
        "previous": matrix.previous_body()})
    rights.reviewing.toggle("chief_pharmacist", "toxic")
    rights.save_reviewing_button.click()
    settled(qtbot, rights)
    assert rights.message.text() == "权限矩阵已被他人修改，请刷新后重新编辑"


def test_a_courier_tariff_edited_as_a_table_becomes_the_next_version(
        qtbot: QtBot, workstation) -> None:
    station, admin = workstation("admin_group")
    view = station.window.show_page("configuration")
    assert isinstance(view, ConfigurationView)
    settled(qtbot, view)
    view.carrier.setCurrentIndex(view.carrier.findData("SF"))
    tariff = view.current_tariff()
    assert tariff is not None and view.tariffs.rowCount() == len(tariff["rules"])
    view.tariffs.item(0, 3).setText("abc")
    view.save_tariff()
    assert view.message.text() == "第 1 行，首重费用（元）：数字填写不正确。"
    view.tariffs.item(0, 3).setText("25.50")
    view.tariff_note.setText("顺丰 2027 年价目表")
    view.save_tariff()
    settled(qtbot, view)
    assert view.message.text().startswith("顺丰速运：已保存版本 2")
    history = admin.api.call("GET", "/tariffs/SF")
    assert [v["tariff_version"] for v in history] == [1, 2]
    newest = history[-1]
    assert newest["note"] == "顺丰 2027 年价目表"
    assert newest["rules"][0]["first_fee_fen"] == 2550
    assert [r["region_name"] for r in newest["rules"]] == [r["region_name"]
                                                           for r in tariff["rules"]]


def test_system_state(qtbot: QtBot, workstation) -> None:
    station, _admin = workstation("admin_group")
    view = station.window.show_page("system")
    assert isinstance(view, SystemView)
    settled(qtbot, view)
    assert (view.server.text(), view.primary.text(), view.migrations.text(),
            view.overall.text()) == ("正常响应", "正常", "已是最新", "就绪")
    assert view.outbox_box.isVisibleTo(view)
    assert view.outbox_pending.text().isdigit()


def test_a_department_template_is_listed_and_removed(qtbot: QtBot, workstation, staff,
                                                      demo) -> None:
    doctor = staff("doctor_wang")
    product = doctor.api.search_catalogue("布洛芬", limit=5).items[0]
    unit = product.package.split("/")[0].lstrip("0123456789.")
    doctor.api.create_template(TemplateIn.model_validate({
        "name": "发热头痛", "scope": "department",
        "diagnoses": [{"code": "R50.9", "name": "发热"}],
        "lines": [{"product_id": product.id, "dose": "1", "dose_unit": unit, "route": "口服",
                   "frequency": "tid", "days": 3}]}))
    station, _admin = workstation("admin_h1")
    rights = station.window.show_page("rights")
    assert isinstance(rights, RightsView)
    settled(qtbot, rights)
    rights.department.setCurrentIndex(rights.department.findData(demo.organisations["H1-IM"]))
    settled(qtbot, rights)
    rights.tabs.setCurrentIndex(2)
    assert [t["name"] for t in rights.templates] == ["发热头痛"]
    assert rights.templates_table.item(0, 1).text() == "发热"
    assert product.generic_name in rights.templates_table.item(0, 2).text()
    rights.retire_template(rights.templates[0])
    settled(qtbot, rights)
    assert rights.templates == [] and rights.message.text() == "已删除模板 发热头痛。"
    assert doctor.api.list_templates() == []
