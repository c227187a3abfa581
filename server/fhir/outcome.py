"""Responses of the FHIR API: resources built and validated with `fhir.resources`, served as
application/fhir+json, and every error as an OperationOutcome.

`fhir.resources` 8 implements R5 by default and R4B (4.3.0) in `fhir.resources.R4B`; no release
for pydantic 2 ships the R4 (4.0.1) models. R4B is R4's technical correction: the resources
served here have the same elements in both, and none added by R4B is used, so the R4B models
validate exactly the R4 JSON this API reads and writes (docs/integrations-fhir.md).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from server.core.errors import AppError, BadRequest, NotFound, Unprocessable

MEDIA_TYPE = "application/fhir+json"
FHIR_VERSION = "4.0.1"

# Issue codes (http://hl7.org/fhir/issue-type) by HTTP status, when the error names none.
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 409: "conflict", 410: "deleted", 412: "conflict",
               413: "too-costly", 422: "processing", 423: "lock-error", 429: "throttled",
               503: "transient"}


class FhirInvalid(BadRequest):
    """The request is not valid FHIR (structure, a required element, a search parameter)."""

    default_detail = "请求不是有效的 FHIR 内容"


class FhirUnprocessable(Unprocessable):
    """Valid FHIR that the platform's rules refuse (a business rule, an unknown reference)."""


class UnknownResource(NotFound):
    default_detail = "不支持的资源类型"


class PreconditionFailed(AppError):
    status_code = 412
    default_detail = "条件不满足"


def issue(detail: str, *, status: int, code: str | None = None,
          expression: list[str] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "severity": "fatal" if status >= 500 else "error",
        "code": code or ISSUE_CODES.get(status, "exception" if status >= 500 else "invalid"),
        "diagnostics": detail,
    }
    if expression:
        entry["expression"] = expression
    return entry


def outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return build("OperationOutcome", {"resourceType": "OperationOutcome", "issue": issues})


def outcome_response(status: int, issues: list[dict[str, Any]],
                     headers: dict[str, str] | None = None) -> Response:
    return fhir_response(outcome(issues), status=status, headers=headers)


def app_error_issues(exc: AppError) -> list[dict[str, Any]]:
    expression = exc.extra.get("expression")
    if expression is None and isinstance(exc.extra.get("field"), str):
        expression = [exc.extra["field"]]
    if isinstance(expression, str):
        expression = [expression]
    found = [issue(exc.detail, status=exc.status_code, code=exc.extra.get("fhir_code"),
                   expression=expression)]
    # Several findings at once (checks that refused lines): one issue each.
    for extra in exc.extra.get("issues", ()) if isinstance(exc.extra.get("issues"), list) else ():
        if isinstance(extra, dict) and "message" in extra:
            found.append(issue(str(extra["message"]), status=exc.status_code,
                               code=extra.get("code"), expression=extra.get("expression")))
    return found


def build(resource_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` validated as the FHIR resource `resource_type`; its canonical JSON as a dict.

    A resource the server builds that does not validate is a bug: it raises (and the request
    answers 500 as an OperationOutcome) rather than handing out invalid FHIR.
    """
    model = get_fhir_model_class(resource_type)
    parsed = model.model_validate(data)
    result: dict[str, Any] = json.loads(parsed.model_dump_json())
    return result


def parse(resource_type: str, data: dict[str, Any]) -> Any:
    """A client's resource parsed with its model; invalid content is a 400 naming each path."""
    model = get_fhir_model_class(resource_type)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [issue(f"{_path(resource_type, err['loc'])}: {_message(err)}", status=400,
                          code="structure" if err["type"] != "missing" else "required",
                          expression=[_path(resource_type, err["loc"])])
                    for err in exc.errors()[:20]]
        raise FhirInvalid(problems[0]["diagnostics"],
                          expression=problems[0]["expression"],
                          fhir_code=problems[0]["code"],
                          issues=[{"message": p["diagnostics"], "code": p["code"],
                                   "expression": p["expression"]} for p in problems[1:]]
                          ) from None


_MESSAGES = {"missing": "必填元素缺失", "extra_forbidden": "不是该资源的元素",
             "string_type": "应为字符串", "decimal_parsing": "应为数值",
             "int_parsing": "应为整数", "list_type": "应为数组", "model_type": "应为对象",
             "dict_type": "应为对象"}


def _message(err: Any) -> str:
    return _MESSAGES.get(str(err.get("type")), str(err.get("msg", "取值无效")))


def _path(resource_type: str, loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as a FHIRPath expression: MedicationRequest.a[0].b."""
    path = resource_type
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif str(part).endswith("__ext"):
            path += f".{str(part)[:-5]}"
        elif not str(part).startswith("function-"):
            path += f".{part}"
    return path


def fhir_response(resource: dict[str, Any], *, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)
