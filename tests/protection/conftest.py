"""Fixtures of the protection tests."""

from __future__ import annotations

import pytest

from app import encryption


@pytest.fixture
def credential_store(monkeypatch):
    """An empty credential store (in memory, for this test only) and no key in the environment."""
    pytest.importorskip("keyring")
    import keyring.backend
    import keyring.errors

    class MemoryKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.stored: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.stored.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.stored[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.stored.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(username)

    monkeypatch.delenv(encryption.ENV_KEY, raising=False)
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)
