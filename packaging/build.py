"""Build Lotsen with PyInstaller (packaging/lotsen.spec) and check the bundle before anyone installs it.

    python packaging/build.py                 # dist/Lotsen/ (Lotsen.exe, lotsen-cli.exe), checked
    python packaging/build.py --zip           # also dist/Lotsen-<version>-portabel.zip (portable mode)
    python packaging/build.py --installer     # also the Inno Setup installer (Windows, needs ISCC.exe)

The check looks for the Qt plugins, Qt's Swedish texts, resources/ and the migrations in the bundle, then runs
`lotsen-cli --version` and `lotsen-cli self-test` from it, headless. Exit code 0 only when all of that passed.
Build-only dependencies: pyinstaller (and pillow to redraw the icon).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "lotsen.spec"
ISS = HERE / "lotsen.iss"
WINDOWS = sys.platform == "win32"
EXE_SUFFIX = ".exe" if WINDOWS else ""
QT_PLUGINS = {  # plugin type -> plugins the app cannot do without (file name without lib prefix and suffix)
    "platforms": ["qwindows" if WINDOWS else "qxcb", "qoffscreen", "qminimal"],
    "imageformats": ["qjpeg", "qico"],
}
QT_ALL_OF = ["styles", "printsupport"]  # every plugin of these types that PySide6 ships
ISCC_PLACES = [Path(os.environ.get(v, "")) / "Inno Setup 6" / "ISCC.exe" for v in ("ProgramFiles(x86)", "ProgramFiles")]


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def build(dist: Path, work: Path) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)], check=True, cwd=ROOT)
    return dist / "Lotsen"


def internal(bundle: Path) -> Path:
    return bundle / "_internal"


def cli(bundle: Path) -> Path:
    return bundle / f"lotsen-cli{EXE_SUFFIX}"


def missing_files(bundle: Path) -> list[str]:
    """What the running app needs and the bundle lacks, as paths relative to the bundle."""
    inside = internal(bundle)
    qt = inside / "PySide6" / ("plugins" if WINDOWS else "Qt/plugins")
    prefix, suffix = ("", ".dll") if WINDOWS else ("lib", ".so")
    wanted = [bundle / f"Lotsen{EXE_SUFFIX}", cli(bundle)]
    wanted += [qt / kind / f"{prefix}{name}{suffix}" for kind, names in QT_PLUGINS.items() for name in names]
    import PySide6  # the build environment's own Qt says which styles and print plugins exist

    source = Path(PySide6.__file__).parent / qt.relative_to(inside / "PySide6")
    wanted += [qt / kind / p.name for kind in QT_ALL_OF if (source / kind).is_dir() for p in (source / kind).iterdir()]
    wanted += [qt.parent / "translations" / "qtbase_sv.qm"]
    wanted += [inside / "db" / "migrations" / name for name in ("env.py", "script.py.mako")]
    wanted += [inside / "db" / "migrations" / "versions" / p.name for p in (ROOT / "db/migrations/versions").glob("*.py")]
    wanted += [inside / p.relative_to(ROOT) for p in (ROOT / "resources").rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc")]
    return [str(p.relative_to(bundle)) for p in wanted if not p.is_file()]


def headless() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run_cli(bundle: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli(bundle)), *args], env=headless(), capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, check=False)


def check(bundle: Path, version: str, scratch: Path) -> list[str]:
    """Problems found in the built bundle; [] when it is good."""
    problems = [f"saknas i paketet: {name}" for name in missing_files(bundle)]
    shown = run_cli(bundle, "--version")
    if shown.returncode != 0 or shown.stdout.strip() != f"Lotsen {version}":
        problems.append(f"--version gav {shown.stdout.strip()!r} {shown.stderr.strip()!r}, inte 'Lotsen {version}'")
    # --db: the log of the run goes to a scratch folder, not to the build machine's own Lotsen data.
    tested = run_cli(bundle, "--db", str(scratch / "lotsen.sqlite"), "self-test")
    print(tested.stdout, end="")
    if tested.returncode != 0:
        problems.append(f"self-test misslyckades (kod {tested.returncode}):\n{tested.stderr}")
    return problems


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def portable_zip(bundle: Path, version: str) -> Path:
    """The bundle with portable.txt beside the exe: unpacked anywhere, it keeps its data in data/ beside itself."""
    staging = bundle.parent / "portable-staging" / "Lotsen"
    shutil.rmtree(staging.parent, ignore_errors=True)
    shutil.copytree(bundle, staging, symlinks=True)
    (staging / "portable.txt").write_text(
        "Den här filen gör Lotsen portabel: data sparas i mappen data bredvid programmet.\n"
        "Ta bort filen för att spara data i användarens lokala programdatamapp i stället.\n", "utf-8")
    archive = shutil.make_archive(str(bundle.parent / f"Lotsen-{version}-portabel"), "zip", staging.parent)
    shutil.rmtree(staging.parent)
    return Path(archive)


def installer(bundle: Path, version: str) -> Path:
    iscc = shutil.which("ISCC") or next((str(p) for p in ISCC_PLACES if p.is_file()), None)
    if iscc is None:
        raise SystemExit("ISCC.exe (Inno Setup 6) hittades inte. Installera Inno Setup 6 eller lägg ISCC i PATH.")
    subprocess.run([iscc, f"/DAppVersion={version}", f"/DBundleDir={bundle}", f"/DOutputDir={bundle.parent}",
                    str(ISS)], check=True)
    return bundle.parent / f"Lotsen-{version}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description="Bygg Lotsen med PyInstaller och kontrollera paketet.")
    args.add_argument("--dist", type=Path, default=ROOT / "dist", help="mapp för det färdiga paketet")
    args.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstallers arbetsmapp")
    args.add_argument("--no-check", dest="check", action="store_false", help="hoppa över kontrollen av paketet")
    args.add_argument("--zip", action="store_true", help="gör också en zip-fil för portabelt läge")
    args.add_argument("--installer", action="store_true", help="gör också installationsprogrammet (Windows)")
    options = args.parse_args(argv)
    version = project_version()
    started = time.perf_counter()
    bundle = build(options.dist.resolve(), options.work.resolve())
    built = time.perf_counter() - started
    print(f"Byggt: {bundle} ({folder_size(bundle) / 2**20:.0f} MB) på {built:.0f} s.")
    if options.check:
        scratch = options.work.resolve() / "self-test"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        problems = check(bundle, version, scratch)
        if problems:
            print("Paketet är trasigt:\n- " + "\n- ".join(problems), file=sys.stderr)
            return 1
    if options.zip:
        print(f"Portabel zip: {portable_zip(bundle, version)}")
    if options.installer:
        print(f"Installationsprogram: {installer(bundle, version)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
