"""On the local platform, workers run at a lower CPU priority than the HTTP replicas, so
a backlog's drain (after a broker outage, an import) takes the CPU that requests leave
idle (docs/failure-modes.md)."""

from __future__ import annotations

from pathlib import Path

from support.platform import PlatformInfo
from tt.common.settings import PlatformSettings


def niceness(pid_file: Path) -> int:
    # /proc/<pid>/stat: "pid (comm) state ..."; the 19th field is the nice value.
    stat = Path(f"/proc/{pid_file.read_text().strip()}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


def test_workers_yield_the_cpu_to_the_replicas_that_answer_requests(
    platform: PlatformInfo, local_platform
) -> None:  # type: ignore[no-untyped-def]
    pid_files = sorted(local_platform.layout.pids.glob("*.pid"))
    workers = {p.stem: niceness(p) for p in pid_files if "-worker." in p.stem}
    replicas = {
        p.stem: niceness(p)
        for p in pid_files
        if p.stem.split(".")[0] in {"auth", "time", "productivity", "search", "webhooks"}
    }
    assert {"time-worker.0", "search-worker.0", "webhooks-worker.0"} <= workers.keys()
    assert {"time.0", "search.0"} <= replicas.keys()
    expected = PlatformSettings.model_fields["worker_niceness"].default
    assert expected > 0
    assert set(workers.values()) == {expected}, workers
    assert set(replicas.values()) == {0}, replicas
