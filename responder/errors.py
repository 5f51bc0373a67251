"""The responders' refusals. Work on a case answers with one ``CaseError`` type whether the
command center or an agency did it, so the codes are the case-work codes the complaint
domain keeps (among_warga/case_errors.py); this module is where the responder package takes
them from."""

from among_warga.case_errors import MAX_PHOTOS, CaseErrorCode, case_text

ResponderErrorCode = CaseErrorCode

__all__ = ["ResponderErrorCode", "MAX_PHOTOS", "case_text"]
