"""Print what a program can see of the machine it runs on.

Run it on your laptop, then in a container: the process id, the host name and the
memory limit change, because the container has its own namespaces and cgroup.
"""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path

from rich.console import Console
from rich.table import Table

CGROUP_MEMORY_MAX = Path("/sys/fs/cgroup/memory.max")
DOCKER_MARKER = Path("/.dockerenv")


# region facts
def memory_limit(path: Path = CGROUP_MEMORY_MAX) -> str:
    """The cgroup v2 memory limit, which `docker run --memory 256m` sets."""
    try:
        value = path.read_text().strip()
    except OSError:
        return "unknown"
    if value == "max":
        return "no limit"
    return f"{int(value) / 2**20:.0f} MiB"


def operating_system() -> str:
    try:
        return platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        return platform.platform()


def facts() -> dict[str, str]:
    return {
        "Python": platform.python_version(),
        "Operating system": operating_system(),
        "Host name": socket.gethostname(),
        "Process id": str(os.getpid()),
        "User id": str(os.getuid()),
        "Working directory": os.getcwd(),
        "Memory limit": memory_limit(),
        "Docker container": "yes" if DOCKER_MARKER.exists() else "no",
    }


# endregion facts


# region main
def main() -> None:
    table = Table(title="Where am I running?")
    table.add_column("What")
    table.add_column("Value")
    for name, value in facts().items():
        table.add_row(name, value)
    Console().print(table)


if __name__ == "__main__":
    main()
# endregion main
