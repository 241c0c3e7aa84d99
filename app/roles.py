"""Roles and what each may do. Every user signs in with their own operating-system login (no shared logins);
the role is stored on the user row.

- vårdlots: works with cases (read and change patients' cases, letters, import, reports).
- administratör: as vårdlots, and changes settings (thresholds, sender, export) and users' roles.
- granskare: reviews the access log (filter, stickprov, unusual access, loggutdrag); does not work with cases.

The first user of a new database becomes administratör, so that someone can hand out roles; later users start
as vårdlots. The log is reviewed by someone other than the administrator (separation of duties): an
administratör who should review the log is given the granskare role by another administratör.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from app.errors import PermissionDenied


class Role(StrEnum):
    VARDLOTS = "vardlots"
    ADMINISTRATOR = "administrator"
    GRANSKARE = "granskare"


ROLE_NAMES = {Role.VARDLOTS: "vårdlots", Role.ADMINISTRATOR: "administratör", Role.GRANSKARE: "granskare"}


class Permission(Enum):
    CASE_WORK = "arbeta med ärenden"
    CHANGE_REGISTER = "ändra registret över vårdgivare, enheter, avtal och kapacitet"
    CHANGE_SETTINGS = "ändra inställningar"
    MANAGE_USERS = "ändra användares roller"
    REVIEW_LOG = "granska loggen"


# The one table of rights: the app checks it (require), and the team server's GRANTs are written from it
# (app.server_roles). Case workers keep the register up to date; a region that wants only administratörer to do it
# takes CHANGE_REGISTER away from VARDLOTS here.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VARDLOTS: frozenset({Permission.CASE_WORK, Permission.CHANGE_REGISTER}),
    Role.ADMINISTRATOR: frozenset({Permission.CASE_WORK, Permission.CHANGE_REGISTER, Permission.CHANGE_SETTINGS,
                                   Permission.MANAGE_USERS}),
    Role.GRANSKARE: frozenset({Permission.REVIEW_LOG}),
}
WHO_MAY = {
    Permission.CASE_WORK: "en vårdlots eller administratör",
    Permission.CHANGE_REGISTER: "en vårdlots eller administratör",
    Permission.CHANGE_SETTINGS: "en administratör",
    Permission.MANAGE_USERS: "en administratör",
    Permission.REVIEW_LOG: "en granskare",
}


def may(role: str, permission: Permission) -> bool:
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:  # an unknown role may do nothing
        return False


def require(role: str, permission: Permission) -> None:
    """Raise PermissionDenied, in plain Swedish, unless the role allows the permission."""
    if not may(role, permission):
        name = ROLE_NAMES.get(Role(role), role) if role in Role._value2member_map_ else role
        raise PermissionDenied("Behörighet", f"du är inloggad som {name} och får inte {permission.value}. "
                                             f"Det får bara {WHO_MAY[permission]} göra.")
