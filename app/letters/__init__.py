"""Patient letters: guarantee information, 14-day notices, offers and confirmations, as PDF and print.

Texts are templates in resources/letters/; layout in layout.py is drawn both as PDF (pdf.py) and by Qt for printing.
"""

from app.letters.kinds import LABEL, LetterType
from app.letters.sender import Sender, get_sender, set_sender
from app.letters.service import (
    BatchResult,
    GeneratedLetter,
    Prepared,
    Skipped,
    archive_folder,
    default_print_file,
    due_step_ids,
    generate,
    prepare,
    steps_of_case,
)

__all__ = [
    "LABEL", "BatchResult", "GeneratedLetter", "LetterType", "Prepared", "Sender", "Skipped", "archive_folder",
    "default_print_file", "due_step_ids", "generate", "get_sender", "prepare", "set_sender", "steps_of_case",
]
