"""`rxp inspect`: the daily inspection (日常巡检) as one command and a printable report.

Every item ends OK / WARN / FAIL with the figure it was judged on: the primary database, the
replicas and their lag, the last backup and its verification, disk space, the TLS certificate's
expiry, the audit chain, the outboxes, known vulnerabilities of the installed packages
(pip-audit) and failed logins in the last 24 hours. Nothing is assumed: an item that cannot be
measured says why, and is at least a WARN.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from installers.backup import BackupStore
from server.access import scope
from server.core.db import make_engine
from server.ops import outboxes, replication
from server.ops.audit_cli import verify as verify_audit_chain
from server.settings import Settings

Status = Literal["OK", "WARN", "FAIL"]
RANK = {"OK": 0, "WARN": 1, "FAIL": 2}
STATUS_LABELS = {"OK": "正常", "WARN": "注意", "FAIL": "故障"}

# Thresholds. Lag: a replica more than this far behind loses that much on a failover.
LAG_WARN_SECONDS, LAG_FAIL_SECONDS = 30.0, 300.0
LAG_WARN_BYTES = 64 * 1024 * 1024
# The backup runs nightly: a day and a bit is normal, two days means a night was missed.
BACKUP_WARN_AGE, BACKUP_FAIL_AGE = timedelta(hours=26), timedelta(hours=50)
DISK_WARN_PERCENT, DISK_FAIL_PERCENT = 80.0, 90.0
CERT_WARN_DAYS, CERT_FAIL_DAYS = 30, 7
OUTBOX_WARN_AGE, OUTBOX_FAIL_AGE = timedelta(minutes=15), timedelta(hours=1)
LOGIN_WARN, LOGIN_FAIL = 20, 200
PIP_AUDIT_TIMEOUT = 300


@dataclass(frozen=True)
class Finding:
    key: str
    label: str
    status: Status
    figure: str
    detail: str = ""


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(original).__name__)[:200]


# -- database ----------------------------------------------------------------------------------
async def check_primary(engine: AsyncEngine) -> Finding:
    try:
        async with engine.connect() as conn:
            version, in_recovery, size = (await conn.execute(text(
                "SELECT current_setting('server_version'), pg_is_in_recovery(),"
                " pg_database_size(current_database())"))).one()
    except Exception as exc:  # any failure to reach it is the finding
        return Finding("primary", "主库", "FAIL", "无法连接", _reason(exc))
    figure = f"PostgreSQL {version}，数据库 {size / 1024 / 1024:.0f} MB"
    if in_recovery:
        return Finding("primary", "主库", "FAIL", figure,
                       "DATABASE_URL 指向的是只读副本（处于恢复模式），写入会失败")
    return Finding("primary", "主库", "OK", figure)


async def replica_states(primary: AsyncEngine, replica_urls: Sequence[str]
                         ) -> list[replication.ReplicaState]:
    try:
        lsn: str | None = await replication.primary_wal_position(primary)
    except Exception:  # the primary's own finding says why
        lsn = None
    states = []
    for i, url in enumerate(replica_urls):
        engine = make_engine(url, pool_size=1, connect_timeout=3)
        try:
            states.append(await replication.replica_state(f"replica-{i}", engine, lsn))
        finally:
            await engine.dispose()
    return states


def check_replicas(states: Sequence[replication.ReplicaState]) -> Finding:
    label = "只读副本"
    if not states:
        return Finding("replicas", label, "WARN", "未配置",
                       "DATABASE_REPLICA_URLS 为空：没有第二份实时数据，主库损坏将丢失数据")
    up = [s for s in states if s.up]
    down = [f"{s.name}：{s.error}" for s in states if not s.up]
    not_standby = [s.name for s in up if not s.in_recovery]
    figure = f"{len(up)}/{len(states)} 在线"
    if not up:
        return Finding("replicas", label, "FAIL", figure, "；".join(down))
    if down or not_standby:
        detail = "；".join(down + [f"{n} 不在恢复模式（不是流复制副本）" for n in not_standby])
        return Finding("replicas", label, "WARN", figure, detail)
    return Finding("replicas", label, "OK", figure)


def check_lag(states: Sequence[replication.ReplicaState]) -> Finding:
    label = "复制延迟"
    measured = [s for s in states if s.up and s.lag_bytes is not None]
    if not states:
        return Finding("replication_lag", label, "WARN", "无副本可测")
    if not measured:
        return Finding("replication_lag", label, "WARN", "无法测量",
                       "没有在线的副本，或主库不可达")
    worst = max(measured, key=lambda s: (s.lag_seconds or 0.0, s.lag_bytes or 0))
    seconds, size = worst.lag_seconds or 0.0, worst.lag_bytes or 0
    figure = f"最大 {seconds:.1f} 秒 / {size / 1024:.0f} KB（{worst.name}）"
    if seconds > LAG_FAIL_SECONDS:
        return Finding("replication_lag", label, "FAIL", figure)
    if seconds > LAG_WARN_SECONDS or size > LAG_WARN_BYTES:
        return Finding("replication_lag", label, "WARN", figure)
    return Finding("replication_lag", label, "OK", figure)


async def check_outboxes(session: AsyncSession, now: datetime) -> Finding:
    label = "消息发件箱"
    found = await outboxes.figures(session, now)
    parts = [f"{o.name}：积压 {o.backlog}，死信 {o.dead}，"
             f"最久等待 {o.oldest_pending_seconds:.0f} 秒" for o in found]
    figure = "；".join(parts) or "无"
    oldest = max((o.oldest_pending_seconds for o in found), default=0.0)
    if oldest > OUTBOX_FAIL_AGE.total_seconds():
        return Finding("outbox", label, "FAIL", figure, "投递停滞：检查投递进程与短信网关")
    if oldest > OUTBOX_WARN_AGE.total_seconds() or any(o.dead for o in found):
        return Finding("outbox", label, "WARN", figure,
                       "有死信或积压：查看失败原因（last_error），必要时人工补发")
    return Finding("outbox", label, "OK", figure)


async def check_logins(session: AsyncSession, now: datetime) -> Finding:
    label = "登录失败（24 小时）"
    failures, users, addresses = (await session.execute(text(
        "SELECT count(*), count(DISTINCT actor_name), count(DISTINCT ip) FROM audit_event"
        " WHERE occurred_at >= :since AND action = 'auth.login' AND outcome <> 'success'"),
        {"since": now - timedelta(hours=24)})).one()
    locked = (await session.execute(text(
        "SELECT count(*) FROM staff_user WHERE locked_until > :now"), {"now": now})).scalar_one()
    figure = f"{failures} 次（{users} 个账号，{addresses} 个地址），当前锁定 {locked} 个账号"
    if failures >= LOGIN_FAIL:
        return Finding("logins", label, "FAIL", figure, "疑似暴力破解：按应急预案处置")
    if failures >= LOGIN_WARN or locked:
        return Finding("logins", label, "WARN", figure, "核实锁定账号的使用人")
    return Finding("logins", label, "OK", figure)


async def check_audit(settings: Settings) -> Finding:
    try:
        ok, message = await verify_audit_chain(settings)
    except Exception as exc:  # an unreadable key or log is a failed verification
        return Finding("audit_chain", "审计链", "FAIL", "无法校验", _reason(exc))
    return Finding("audit_chain", "审计链", "OK" if ok else "FAIL", message)


# -- files ---------------------------------------------------------------------------------------
def check_backup(backup_dir: Path | None, now: datetime) -> Finding:
    """The newest base backup of the backup store (installers/backup.py: `rxp backup` on the
    embedded cluster, installers/deploy/postgres/rxp-backup in production write the same
    catalogue): its age and its pg_verifybackup result."""
    label = "备份"
    if backup_dir is None:
        return Finding("backup", label, "WARN", "no backup configured（未配置 RXP_BACKUP_DIR）",
                       "生产环境按 docs/operations/deployment.md 安装 rxp-backup.timer 并设置 "
                       "RXP_BACKUP_DIR；演示环境运行 rxp backup")
    store = BackupStore(backup_dir)
    if not store.root.is_dir():
        return Finding("backup", label, "FAIL", f"备份目录不存在：{store.root}")
    try:
        backups = store.catalog()
    except (ValueError, TypeError, OSError) as exc:
        return Finding("backup", label, "FAIL", f"备份目录无法读取：{store.catalog_path}",
                       _reason(exc))
    if not backups:
        return Finding("backup", label, "FAIL", f"{store.root} 中没有备份")
    latest = max(backups, key=lambda b: b.ended)
    age = now - latest.ended
    hours = age.total_seconds() / 3600
    archived = sorted(store.wal_dir.glob("0*")) if store.wal_dir.is_dir() else []
    figure = (f"最近一次 {latest.ended.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
              f"（{hours:.1f} 小时前），{latest.size_bytes / 1024 / 1024:.0f} MB，"
              f"校验{'通过' if latest.verified else '未通过'}，共 {len(backups)} 份，"
              f"已归档 WAL {len(archived)} 段")
    if not latest.verified:
        said = latest.verify_output.strip().splitlines()[-3:]
        return Finding("backup", label, "FAIL", figure,
                       " ".join(said)[:300] or "pg_verifybackup 未通过")
    if age > BACKUP_FAIL_AGE:
        return Finding("backup", label, "FAIL", figure, "超过两天没有新备份")
    if age > BACKUP_WARN_AGE:
        return Finding("backup", label, "WARN", figure, "昨夜的备份没有完成")
    return Finding("backup", label, "OK", figure)


def check_disk(paths: Sequence[Path]) -> Finding:
    # One line per file system (st_dev), named by the first folder found on it.
    seen: dict[int, tuple[Path, int, int, int]] = {}
    for path in paths:
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        try:
            device = os.stat(existing).st_dev
            if device not in seen:
                total, used, free = shutil.disk_usage(existing)
                seen[device] = (existing, total, used, free)
        except OSError:
            continue
    if not seen:
        return Finding("disk", "磁盘空间", "WARN", "没有可检查的目录")
    worst: Status = "OK"
    parts = []
    for path, total, used, free in seen.values():
        percent = used / total * 100 if total else 0.0
        parts.append(f"{path} 已用 {percent:.0f}%（剩余 {free / 1024 ** 3:.1f} GB）")
        status: Status = ("FAIL" if percent >= DISK_FAIL_PERCENT else
                          "WARN" if percent >= DISK_WARN_PERCENT else "OK")
        worst = status if RANK[status] > RANK[worst] else worst
    return Finding("disk", "磁盘空间", worst, "；".join(parts))


def check_certificate(cert_file: Path | None, now: datetime) -> Finding:
    label = "TLS 证书"
    if cert_file is None:
        return Finding("certificate", label, "WARN", "未配置（RXP_TLS_CERT_FILE）",
                       "生产环境须由反向代理提供 TLS，并把证书路径告诉巡检")
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError) as exc:
        return Finding("certificate", label, "FAIL", f"无法读取 {cert_file}", _reason(exc))
    expires = cert.not_valid_after_utc
    days = (expires - now).total_seconds() / 86400
    subject = cert.subject.rfc4514_string()
    figure = f"{subject}，{expires:%Y-%m-%d} 到期（剩余 {days:.0f} 天）"
    if days < CERT_FAIL_DAYS:
        return Finding("certificate", label, "FAIL", figure,
                       "已过期" if days < 0 else "7 天内到期：立即更换")
    if days < CERT_WARN_DAYS:
        return Finding("certificate", label, "WARN", figure, "30 天内到期：安排更换")
    return Finding("certificate", label, "OK", figure)


def default_pip_audit(requirements: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"]
    if requirements is not None:
        cmd += ["--requirement", str(requirements), "--no-deps", "--disable-pip"]
    return cmd


def check_vulnerabilities(command: Sequence[str]) -> Finding:
    label = "依赖漏洞（pip-audit）"
    try:
        done = subprocess.run(list(command), capture_output=True, text=True,
                              timeout=PIP_AUDIT_TIMEOUT, check=False)
    except FileNotFoundError:
        return Finding("vulnerabilities", label, "WARN", "未安装 pip-audit")
    except subprocess.TimeoutExpired:
        return Finding("vulnerabilities", label, "WARN", "漏洞库查询超时",
                       f"{PIP_AUDIT_TIMEOUT} 秒内没有完成")
    if "No module named pip_audit" in done.stderr:
        return Finding("vulnerabilities", label, "WARN", "未安装 pip-audit",
                       "pip install pip-audit（见 README 依赖说明）")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        reason = lines[-1][:300] if lines else f"pip-audit 退出码 {done.returncode}"
        return Finding("vulnerabilities", label, "WARN", "无法获取漏洞库", reason)
    deps = report.get("dependencies", []) if isinstance(report, dict) else report
    # A package the vulnerability service does not answer for comes back with a skip reason
    # (a mirror without PyPI's JSON API answers for none): not checked is not clean.
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    if skipped and not audited:
        return Finding("vulnerabilities", label, "WARN", "无法获取漏洞库",
                       f"{len(skipped)} 个包均未能核对：{skipped[0]['skip_reason']}"[:300])
    affected = [d for d in audited if d.get("vulns")]
    count = sum(len(d["vulns"]) for d in affected)
    figure = f"检查 {len(audited)} 个包，{count} 个已知漏洞（{len(affected)} 个包）"
    if skipped:
        figure += f"，{len(skipped)} 个包未能核对"
    if affected:
        detail = "；".join(
            f"{d['name']} {d['version']}: " + ", ".join(
                v["id"] + (f" → {'/'.join(v.get('fix_versions') or [])}"
                           if v.get("fix_versions") else "") for v in d["vulns"])
            for d in affected)
        return Finding("vulnerabilities", label, "WARN", figure, detail[:1000])
    if skipped:
        return Finding("vulnerabilities", label, "WARN", figure,
                       "、".join(d["name"] for d in skipped)[:300])
    return Finding("vulnerabilities", label, "OK", figure)


# -- the whole inspection --------------------------------------------------------------------
async def _database_findings(settings: Settings, now: datetime) -> list[Finding]:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        primary = await check_primary(engine)
        states = await replica_states(engine, settings.database_replica_urls)
        found = [primary, check_replicas(states), check_lag(states)]
        if primary.status == "FAIL" and primary.figure == "无法连接":
            unreachable = "主库不可达，无法检查"
            found += [Finding("outbox", "消息发件箱", "FAIL", unreachable),
                      Finding("logins", "登录失败（24 小时）", "FAIL", unreachable)]
            return found
        async with AsyncSession(engine) as session, session.begin():
            await scope.system_scope(session)
            found.append(await check_outboxes(session, now))
            found.append(await check_logins(session, now))
        return found
    finally:
        await engine.dispose()


def disk_paths(settings: Settings) -> list[Path]:
    paths = [settings.key_dir, settings.audit_checkpoint_dir, *settings.disk_paths]
    if settings.backup_dir is not None:
        paths.append(settings.backup_dir)
    return paths


ORDER = ("primary", "replicas", "replication_lag", "backup", "disk", "certificate",
         "audit_chain", "outbox", "vulnerabilities", "logins")


def inspect(settings: Settings, *, now: datetime | None = None,
            pip_audit: Sequence[str] | None = None) -> list[Finding]:
    now = now or datetime.now(UTC)
    found = asyncio.run(_database_findings(settings, now))
    found.append(asyncio.run(check_audit(settings)))
    found.append(check_backup(settings.backup_dir, now))
    found.append(check_disk(disk_paths(settings)))
    found.append(check_certificate(settings.tls_cert_file, now))
    found.append(check_vulnerabilities(pip_audit or default_pip_audit()))
    return sorted(found, key=lambda f: ORDER.index(f.key))


def overall(findings: Sequence[Finding]) -> Status:
    return max((f.status for f in findings), key=RANK.__getitem__, default="OK")


# -- the report --------------------------------------------------------------------------------
def _columns(value: str) -> int:
    """Terminal columns of `value`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value)


def render_text(findings: Sequence[Finding], when: datetime, host: str) -> str:
    lines = [f"处方流转平台 日常巡检  {when:%Y-%m-%d %H:%M:%S} UTC  主机 {host}", ""]
    width = max(_columns(f.label) for f in findings) + 2
    for f in findings:
        label = f.label + " " * (width - _columns(f.label))
        lines.append(f"[{f.status:<4}] {label}{f.figure}")
        if f.detail:
            lines.append(" " * (7 + width) + f.detail)
    status = overall(findings)
    lines += ["", f"结论：{status}（{STATUS_LABELS[status]}）"]
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def render_markdown(findings: Sequence[Finding], when: datetime, host: str) -> str:
    status = overall(findings)
    lines = [
        "# 日常巡检报告 · Daily inspection", "",
        f"- 时间：{when:%Y-%m-%d %H:%M:%S} UTC",
        f"- 主机：{host}",
        f"- 结论：**{status}**（{STATUS_LABELS[status]}）", "",
        "| 项目 | 结果 | 数值 | 说明 |", "|---|---|---|---|",
    ]
    lines += [f"| {_cell(f.label)} | {f.status} | {_cell(f.figure)} | {_cell(f.detail)} |"
              for f in findings]
    lines += ["", "巡检人签字：________________　　复核人签字：________________", ""]
    return "\n".join(lines)


def save(findings: Sequence[Finding], when: datetime, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()
    stem = folder / f"inspect-{when:%Y%m%d-%H%M%S}"
    md, txt = stem.with_suffix(".md"), stem.with_suffix(".txt")
    md.write_text(render_markdown(findings, when, host), encoding="utf-8")
    txt.write_text(render_text(findings, when, host), encoding="utf-8")
    return md, txt


def exit_code(findings: Sequence[Finding]) -> int:
    """0 all OK, 1 something to look at, 2 something broken (for cron and monitoring)."""
    return RANK[overall(findings)]
