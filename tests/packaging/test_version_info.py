"""The Windows version resource template is read by PyInstaller's own parser (it is only used on Windows)."""

from __future__ import annotations

import importlib.util
import sys
import types
from string import Template

import pytest

from tests.packaging.bundle import ROOT


def test_version_info_template_parses_into_a_version_resource(tmp_path, monkeypatch):
    pytest.importorskip("PyInstaller")
    import PyInstaller.compat

    # versioninfo imports two Windows-only helpers at the top; parsing and serialising need neither.
    monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    source = importlib.util.find_spec("PyInstaller.utils.win32.versioninfo").origin
    spec = importlib.util.spec_from_file_location("versioninfo_under_test", source)  # not kept in sys.modules
    versioninfo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(versioninfo)

    text = Template((ROOT / "packaging" / "version_info.txt").read_text("utf-8")).substitute(
        version="1.2.3", numbers="1, 2, 3, 0", name="lotsen-cli", description="Lotsen för schemalagda körningar")
    rendered = tmp_path / "version_info.txt"
    rendered.write_text(text, "utf-8")
    info = versioninfo.load_version_info_from_text_file(str(rendered))
    assert info.ffi.fileVersionMS == (1 << 16) | 2 and info.ffi.fileVersionLS == 3 << 16
    shown = str(info)
    assert "StringStruct('ProductVersion', '1.2.3')" in shown
    assert "StringStruct('OriginalFilename', 'lotsen-cli.exe')" in shown
    assert "Lotsen för schemalagda körningar" in shown
    assert len(info.toRaw()) > 500
