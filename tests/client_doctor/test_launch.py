"""Starting from the HIS: the launch token on the command line or in an rxp-doctor:// URL, and
the real app exchanging it for a session on the patient, without a login dialog."""

from __future__ import annotations

import httpx
import pytest

from client_doctor.app import parse_args
from client_doctor.launch import LaunchUrlError, launch_token, token_from_url
from tests.client_doctor.journey import WAIT
from tests.clients import ServerThread, patient_id


class TestFindingTheToken:
    def test_option_and_url(self):
        assert launch_token("abc123", []) == "abc123"
        assert launch_token(None, ["rxp-doctor://launch?token=abc123"]) == "abc123"
        assert launch_token("rxp-doctor://launch?token=t%2B1", []) == "t+1"
        assert launch_token(None, ["--other"]) is None

    def test_the_command_line_reaches_the_url(self):
        args = parse_args(["--server", "http://h", "rxp-doctor://launch?token=xyz"])
        assert launch_token(args.launch, args.urls) == "xyz"
        args = parse_args(["--launch", "xyz"])
        assert launch_token(args.launch, args.urls) == "xyz"

    @pytest.mark.parametrize("url", ["http://launch?token=x", "rxp-doctor://open?token=x",
                                     "rxp-doctor://launch", "rxp-doctor://launch?token=",
                                     "rxp-doctor://launch?token=a&token=b"])
    def test_other_urls_are_refused_in_chinese(self, url):
        with pytest.raises(LaunchUrlError) as refused:
            token_from_url(url)
        assert "启动地址" in str(refused.value)


def issue(live_server: ServerThread, demo, *, patient: str = "吴敏") -> str:
    his = next(c for c in demo.clients if c["client_id"] == "his-h1")
    with httpx.Client(base_url=live_server.url) as http:
        token = http.post("/auth/token", json={"client_id": his["client_id"],
                                               "client_secret": his["client_secret"]})
        response = http.post("/auth/launch-tokens",
                             headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                             json={"username": "doctor_wang",
                                   "patient_id": patient_id(demo, patient)})
        assert response.status_code == 201, response.text
        url: str = response.json()["launch_url"]
        return url


@pytest.mark.slow
class TestLaunchedApp:
    def test_opens_on_the_patient_without_a_login(self, qtbot, doctor_app, demo, live_server):
        url = issue(live_server, demo)
        app = doctor_app()
        app.start(launch_token(None, [url]))
        qtbot.waitUntil(lambda: app.window is not None and app.window.isVisible(),
                        timeout=WAIT)
        assert app.login_dialog is None
        assert app.window is not None
        editor = app.window.editor
        qtbot.waitUntil(lambda: editor.patient is not None, timeout=WAIT)
        assert editor.patient is not None
        assert str(editor.patient.patient.id) == patient_id(demo, "吴敏")
        assert "青霉素" in editor.banner.allergies.text()
        assert app.session.username == "doctor_wang"
        # No password was typed here: an idle lock cannot be opened with one.
        assert not app.session.can_unlock

    def test_a_used_token_falls_back_to_the_login_dialog(self, qtbot, doctor_app, demo,
                                                         live_server):
        url = issue(live_server, demo)
        first = doctor_app()
        first.start(launch_token(None, [url]))
        qtbot.waitUntil(lambda: first.window is not None, timeout=WAIT)
        second = doctor_app()
        second.start(launch_token(None, [url]))
        qtbot.waitUntil(lambda: second.login_dialog is not None
                        and second.login_dialog.isVisible(), timeout=WAIT)
        assert second.window is None
        assert second.login_dialog is not None
        assert "已使用" in second.login_dialog.error_for(None)
