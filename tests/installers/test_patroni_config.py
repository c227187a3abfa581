"""The Patroni configuration of installers/deploy/patroni, checked by Debian's Patroni itself.

`patroni --validate-config` checks the schema, the PostgreSQL binaries, that the listen ports
are free and that etcd answers; so a real etcd runs for it. The live two-node failover with this
configuration is `rxp drill failover_patroni` (about 90 s: too long for the suite).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from installers.drills import patroni

pytestmark = pytest.mark.skipif(
    shutil.which("patroni") is None or shutil.which("etcd") is None,
    reason="Debian's patroni and etcd-server are not installed")


@pytest.fixture
def pair(workdir: Path) -> Iterator[patroni.PatroniPair]:
    folder = workdir / f"patroni-{uuid.uuid4().hex[:8]}"
    pair = patroni.PatroniPair(folder)
    pair.prepare()
    pair.start_etcd()
    yield pair
    pair.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_both_nodes_pass_patronis_own_validation(pair: patroni.PatroniPair) -> None:
    for node in pair.nodes:
        done = pair.validate(node)
        assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load(pair.nodes[1].config.read_text())
    dcs = config["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] is True and dcs["synchronous_mode_strict"] is False
    assert dcs["postgresql"]["use_pg_rewind"] is True
    assert dcs["postgresql"]["parameters"]["synchronous_commit"] == "on"
    assert config["postgresql"]["pg_hba"] == config["bootstrap"]["pg_hba"]
    assert config["name"] == "node2" and config["etcd3"]["hosts"] == pair.etcd_hosts


def test_the_validation_is_real(pair: patroni.PatroniPair) -> None:
    node = pair.nodes[0]
    node.config.write_text(node.config.read_text().replace(
        f"connect_address: {node.address}:{node.api_port}",
        f"connect_address: 127.0.0.1:{node.api_port}"))
    done = pair.validate(node)
    assert done.returncode != 0 and "restapi.connect_address" in done.stdout + done.stderr


def test_a_value_left_out_is_an_error(tmp_path: Path) -> None:
    node = patroni.Node("node1", "127.0.0.2", tmp_path, 5432, 8008)
    template = patroni.TEMPLATE.read_text()
    assert "${RXP_TTL}" in template
    with pytest.raises(KeyError):
        patroni.render_values({}, template)
    rendered = patroni.render(node, etcd_hosts="127.0.0.1:2379", tls_cert=tmp_path / "c",
                              tls_key=tmp_path / "k")
    assert "${" not in rendered and "ttl: 30" in rendered


def test_setup_patroni_is_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed")
    scripts = sorted(patroni.TEMPLATE.parent.glob("*.sh"))
    assert len(scripts) == 2
    done = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout
