"""Who the letters come from: the vårdlots unit, stored as one setting so a region sets it once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from app.database import Database
from app.errors import InputError
from app.settings import TAB_SENDER, get_setting, set_setting, where
from app.text_input import check_text

KEY = "letters.sender"


@dataclass(frozen=True)
class Sender:
    region: str = "Region Exempel"
    unit: str = "Vårdlotsen"
    street: str = "Box 100"
    postal_code: str = "123 45"
    city: str = "Exempelstad"
    phone: str = "010-123 45 67"
    hours_sv: str = "måndag–fredag kl. 8–16"
    hours_en: str = "Monday to Friday, 8 am to 4 pm"
    email: str = ""
    signature: str = ""            # the letter's closing name line; "unit, region" when empty
    logo: str = ""                 # path to a PNG or JPEG; the region's name is printed when empty
    reply_working_days: int = 10   # an offer's reply window, in working days after the letter arrives
    post_working_days: int = 2     # working days from the letter's date until it reaches the patient

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"

    @property
    def closing_name(self) -> str:
        return self.signature.strip() or f"{self.unit}, {self.region}"

    def hours(self, language: str) -> str:
        return self.hours_en if language == "en" else self.hours_sv


def get_sender(db: Database) -> Sender:
    """The stored sender; the defaults for what is not set (unknown keys are ignored). Letters use
    require_sender: they are never written with a made-up sender."""
    stored = get_setting(db, KEY, {}) or {}
    known = {f.name for f in fields(Sender)}
    return Sender(**{k: v for k, v in stored.items() if k in known})


def set_sender(db: Database, sender: Sender, user_id: int | None = None) -> None:
    validate_sender(sender)
    set_setting(db, KEY, asdict(sender), user_id)


def sender_is_set(db: Database) -> bool:
    """Whether a region has stored its own sender; letters are refused until then (require_sender)."""
    return bool(get_setting(db, KEY))


def sender_missing(db: Database) -> str | None:
    """Why no letter can be written yet, in plain Swedish with where to set it; None when the sender is set."""
    if sender_is_set(db):
        return None
    return ("Brevens avsändare är inte ifylld, så inga brev kan skapas: ett brev måste tala om vem det kommer "
            f"från och vart patienten svarar. En administratör fyller i avsändaren under {where(TAB_SENDER)}.")


def require_sender(db: Database) -> Sender:
    """The sender a letter may carry; InputError (field Avsändare) with sender_missing's words when unset."""
    if (missing := sender_missing(db)) is not None:
        raise InputError("Avsändare", missing)
    return get_sender(db)


def sender_problem(db: Database) -> str | None:
    """What is missing from the letters' sender, in plain Swedish with where to set it; None when nothing is."""
    if (missing := sender_missing(db)) is not None:
        return missing
    logo = get_sender(db).logo
    if logo and not Path(logo).is_file():
        return (f"Logotypen {logo} finns inte, så regionens namn skrivs i stället. En administratör väljer en "
                f"annan bild under {where(TAB_SENDER)}.")
    return None


def validate_sender(sender: Sender) -> None:
    """Refuse a sender a letter cannot carry, naming the field in Swedish."""
    for f in fields(Sender):  # every text is printed in each letter: a NUL or lone surrogate breaks the PDF
        value = getattr(sender, f.name)
        if isinstance(value, str):
            check_text(value, _FIELD.get(f.name, _OTHER_FIELD.get(f.name, f.name)))
    for name in ("region", "unit", "street", "postal_code", "city", "phone"):
        if not str(getattr(sender, name)).strip():
            raise InputError(_FIELD[name], "fyll i uppgiften; den står i varje brev.")
    if not 1 <= sender.reply_working_days <= 60:
        raise InputError("Svarstid", "ange mellan 1 och 60 arbetsdagar.")
    if not 0 <= sender.post_working_days <= 10:
        raise InputError("Posttid", "ange mellan 0 och 10 arbetsdagar.")


_FIELD = {"region": "Region", "unit": "Enhet", "street": "Gatuadress", "postal_code": "Postnummer",
          "city": "Ort", "phone": "Telefon"}
_OTHER_FIELD = {"hours_sv": "Telefontider", "hours_en": "Telefontider (engelska)", "email": "E-post", "signature": "Underskrift",
                "logo": "Logotyp"}
