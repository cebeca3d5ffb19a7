"""Shared by the benchmark scripts: the line that describes the machine.

The scripts run as ``python benchmarks/NAME.py``, so this folder is on
``sys.path`` and ``from _common import machine`` works.
"""

import os
import platform


def machine(*modules):
    """Platform, CPU model and count, Python and the given modules' versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = ", ".join(f"{m.__name__} {m.__version__}" for m in modules)
    return (f"{platform.platform()}; {cpu}; {os.cpu_count()} CPUs; "
            f"Python {platform.python_version()}, {versions}")
