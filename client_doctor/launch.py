"""How the HIS starts the app on a patient: `--launch <token>` on the command line, or the URL
`rxp-doctor://launch?token=<token>` the HIS opens (the desktop hands it over as an argument).
The token itself is the server's business (single use, two minutes, see server/identity/
launch_service.py); here it is only found."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

SCHEME = "rxp-doctor"


class LaunchUrlError(ValueError):
    """An rxp-doctor:// URL that is not a launch (the message is Chinese, for the user)."""


def token_from_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != SCHEME:
        raise LaunchUrlError(f"不是开方工作站的启动地址：{url}")
    action = (parts.netloc or parts.path.strip("/")).lower()
    tokens = parse_qs(parts.query).get("token", [])
    if action != "launch" or len(tokens) != 1 or not tokens[0].strip():
        raise LaunchUrlError("启动地址应为 rxp-doctor://launch?token=…")
    return tokens[0].strip()


def launch_token(option: str | None, arguments: Sequence[str]) -> str | None:
    """The token from `--launch` or from an rxp-doctor:// URL among the arguments."""
    if option:
        return token_from_url(option) if option.lower().startswith(f"{SCHEME}:") else option
    for argument in arguments:
        if argument.lower().startswith(f"{SCHEME}:"):
            return token_from_url(argument)
    return None
