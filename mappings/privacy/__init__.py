"""What the centre keeps about people, for how long, and how it lets it go.

:mod:`.erasure` erases evidence items' content and files while keeping their hashes and the
audit trail whole; :mod:`.retention` works out, from the centre's rules, which learners' evidence
is past its keeping time and erases it; :mod:`.requests` erases one person's personal data on
their request, keeping what the awarding body requires.
"""
