"""Leap2A (http://wiki.leapspecs.org/2A/specification): a learner's portfolio out as a zip that
Mahara imports, and Leap2A files in as draft evidence.

``feed`` reads the XML safely into plain data, ``collect`` reads a learner's evidence from the
database, ``write`` lays out the zip, ``restore`` imports a file. See docs/leap2a.md.
"""

from exports.leap2a.restore import Leap2aReport, import_leap2a
from exports.leap2a.write import FEED, Written, default_name, may_export_leap2a, write_leap2a

__all__ = [
    "FEED",
    "Leap2aReport",
    "Written",
    "default_name",
    "import_leap2a",
    "may_export_leap2a",
    "write_leap2a",
]
