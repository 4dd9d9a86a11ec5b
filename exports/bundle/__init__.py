"""A learner's portable portfolio bundle: one zip, browsable offline, complete enough to re-import.

Layout of the zip (see README, "Portable portfolio bundle", for the manifest schema)::

    index.html                   evidence, standards with coverage, sign-offs
    evidence/E<id>.html          one page per evidence item, every version, links to its files
    attachments/<sha256>.<ext>   each attached file once, streamed from the file store
    signoffs/<name>.docx         the sign-off record of every sign-off
    manifest.json                all the data, and the SHA-256 of every other file
    signature.json               the centre's Ed25519 signature of manifest.json (not listed)

The modules, by concept: ``manifest`` (the one model of ``manifest.json``, for writer and reader),
``collect`` (database -> model), ``pages`` (the offline HTML), ``write`` (the streaming zip
writer), ``signing`` (the signature and what it proves), ``check`` (the reader's validation and
hash checks), ``restore`` (model -> database), with ``persons`` (the bundle's people, given no
role), ``enrol`` (the learner's registration here, in no cohort), ``received`` (the sending centre's record of an unverified bundle), ``titles`` (evidence titles, checked on reading) and ``report``.
"""

from exports.bundle.check import verify_bundle
from exports.bundle.manifest import MANIFEST
from exports.bundle.report import ImportReport
from exports.bundle.restore import import_bundle
from exports.bundle.signing import SIGNATURE, SignatureCheck, check_signature, signature_json
from exports.bundle.write import may_export_bundle, write_bundle

__all__ = [
    "MANIFEST",
    "SIGNATURE",
    "ImportReport",
    "SignatureCheck",
    "check_signature",
    "import_bundle",
    "may_export_bundle",
    "signature_json",
    "verify_bundle",
    "write_bundle",
]
