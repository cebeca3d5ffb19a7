"""CI checks of the declared floors and of what `python -m build` made.

    python .ci/check_dist.py floors          # pyproject's floors == .ci/oldest-constraints.txt
    python .ci/check_dist.py dist DIST_DIR   # the sdist and the wheel in DIST_DIR

Run from the repository root with Python 3.11+ (tomllib). ``dist`` compares
the archives with the source tree as git sees it (tracked files and new files
that are not ignored): the wheel must hold every file of the package
(``skchaosprune/**``) and nothing else, the sdist every file but the CI
plumbing (``.ci/``, ``.gitignore``) and nothing else but the metadata that
setuptools adds.
"""

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / ".ci" / "oldest-constraints.txt"


def _release(version):
    """'1.24' and '1.24.0' compare equal; pre-releases are not floors here."""
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def check_floors():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement.replace(" ", ""))
        if not match:
            sys.exit(f"floors: {requirement!r} is not of the form name>=version")
        floors[_canonical(match[1])] = match[2]
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_canonical(name)] = version.strip()
    errors = [f"{name}>={floor} is pinned as {pins.get(name)!r} in {CONSTRAINTS.name}"
              for name, floor in floors.items()
              if name not in pins or _release(pins[name]) != _release(floor)]
    if errors:
        sys.exit("floors: the declared floors differ from what CI tests:\n  "
                 + "\n  ".join(errors))
    print(f"floors: {len(floors)} declared floors equal {CONSTRAINTS.name}'s pins")


def _source_files():
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {f for f in out.split("\0") if f and (ROOT / f).is_file()}


def _compare(what, have, want):
    missing, extra = sorted(want - have), sorted(have - want)
    for label, names in (("missing", missing), ("unexpected", extra)):
        if names:
            print(f"{what}: {len(names)} {label}:\n  " + "\n  ".join(names))
    return not (missing or extra)


def check_dist(dist_dir):
    dist_dir = Path(dist_dir)
    wheels, sdists = sorted(dist_dir.glob("*.whl")), sorted(dist_dir.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        sys.exit(f"dist: expected one wheel and one sdist in {dist_dir}, "
                 f"found {[p.name for p in wheels + sdists]}")
    source = _source_files()
    ok = True

    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    info = {n for n in names if n.split("/", 1)[0].endswith(".dist-info")}
    ok &= _compare(f"wheel {wheels[0].name}", names - info,
                   {f for f in source if f.startswith("skchaosprune/")})
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in info):
        print("wheel: no LICENSE in its .dist-info")
        ok = False

    with tarfile.open(sdists[0]) as sdist:
        members = [m.name.split("/", 1) for m in sdist.getmembers() if m.isfile()]
    have = {parts[1] for parts in members if len(parts) == 2}
    added = {f for f in have if f in ("PKG-INFO", "setup.cfg")
             or f.startswith("skchaosprune.egg-info/")}
    ok &= _compare(f"sdist {sdists[0].name}", have - added,
                   {f for f in source if not f.startswith(".ci/") and f != ".gitignore"})
    if not ok:
        sys.exit(1)
    print(f"dist: the wheel holds the package's {len(names - info)} files, "
          f"the sdist the source tree's {len(have - added)}")


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["?"]
    if command == "floors" and not args:
        check_floors()
    elif command == "dist" and len(args) == 1:
        check_dist(args[0])
    else:
        sys.exit(__doc__)
