"""Refusals of work on a case, shared by the command center and the agencies' responders
(one ``CaseError`` type in the API, among_warga/api/cases.py), and the one rule for the
notes and reasons written on a case."""

from __future__ import annotations

from backend.errors import ErrorCode, messages
from backend.text import TextRule


class CaseErrorCode(ErrorCode):
    NOT_FOUND = "not_found"
    INVALID_TRANSITION = "invalid_transition"
    REASON_REQUIRED = "reason_required"
    NOTE_TOO_LONG = "note_too_long"
    SKPD_REQUIRED = "skpd_required"
    SKPD_NOT_FOUND = "skpd_not_found"
    ORIGINAL_NOT_FOUND = "original_not_found"
    SAME_CASE = "same_case"
    UNKNOWN_CATEGORY = "unknown_category"
    NOT_YOUR_CASE = "not_your_case"
    PROOF_PHOTO_REQUIRED = "proof_photo_required"
    PHOTO_NOT_FOUND = "photo_not_found"
    TOO_MANY_PHOTOS = "too_many_photos"
    NOTE_REQUIRED = "note_required"
    NOT_DISPATCHED = "not_dispatched"


C = CaseErrorCode
messages({
    C.NOT_FOUND: ("Kasus tidak ditemukan.", "Case not found."),
    C.INVALID_TRANSITION: ("Status kasus saat ini {current}; tindakan ini memerlukan status "
                           "{expected}.",
                           "The case is {current} now; this needs {expected}."),
    C.REASON_REQUIRED: ("Tuliskan alasannya (untuk pelapor).",
                        "Give a reason (the reporter sees it)."),
    C.NOTE_TOO_LONG: ("Catatan maksimal 2000 karakter.", "At most 2000 characters."),
    C.SKPD_REQUIRED: ("Pilih minimal satu SKPD.", "Choose at least one SKPD."),
    C.SKPD_NOT_FOUND: ("SKPD tidak ditemukan: {skpds}. Lihat daftar `skpds`.",
                       "No SKPD {skpds}; see the `skpds` list."),
    C.ORIGINAL_NOT_FOUND: ("Laporan asli tidak ditemukan.", "The original report was not found."),
    C.SAME_CASE: ("Laporan tidak bisa menjadi duplikat dirinya sendiri.",
                  "A report cannot duplicate itself."),
    C.UNKNOWN_CATEGORY: ("Kategori tidak dikenal: {codes}.", "Unknown category: {codes}."),
    C.NOT_YOUR_CASE: ("Kasus ini tidak ditugaskan ke SKPD Anda.",
                      "This case is not assigned to your SKPD."),
    C.PROOF_PHOTO_REQUIRED: ("Lampirkan foto bukti penyelesaian.", "Attach a photo as proof."),
    C.PHOTO_NOT_FOUND: ("Foto tidak ditemukan atau bukan milik Anda.",
                        "Photo not found or not yours."),
    C.TOO_MANY_PHOTOS: ("Maksimal 5 foto.", "At most 5 photos."),
    C.NOTE_REQUIRED: ("Tuliskan catatan.", "Write a note."),
    C.NOT_DISPATCHED: ("Kasus ini sedang tidak ditugaskan ke SKPD mana pun.",
                       "The case is not assigned to any SKPD now."),
})


# A note on a case (public or internal) and a reason (rejection, recall, return): one rule.
NOTE_MAX = 2000
MAX_PHOTOS = 5
NOTE = TextRule(max=NOTE_MAX, too_long=C.NOTE_TOO_LONG, required=C.NOTE_REQUIRED)
REASON = TextRule(max=NOTE_MAX, too_long=C.NOTE_TOO_LONG, required=C.REASON_REQUIRED)


def case_text(value: str | None, *, field: str = "note", required: bool = False) -> str:
    """A note (``field="note"``) or reason (any other field) written on a case, cleaned."""
    return (NOTE if field == "note" else REASON).clean(value, field=field, required=required)
